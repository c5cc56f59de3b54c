from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from minping.accounts.models import User
from minping.accounts.views import RateLimitedAdminAuthenticationForm

admin.site.login_form = RateLimitedAdminAuthenticationForm  # /admin/login/ is throttled as the site's login is


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Minping", {"fields": ["role", "region", "unit", "cadre", "phone"]})]
    raw_id_fields = ["region", "unit", "cadre"]
