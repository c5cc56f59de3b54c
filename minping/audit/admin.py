from django.contrib import admin

from minping.audit.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are written only by the application: to be read in the admin, never added, changed or removed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_name", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["object_repr", "actor_name"]
