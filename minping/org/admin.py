from django.contrib import admin

from minping.org.models import (
    Cadre,
    Enterprise,
    Household,
    Post,
    Region,
    Resident,
    Unit,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "depth"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]


class PostInline(admin.TabularInline):
    model = Post
    raw_id_fields = ["unit", "region"]
    extra = 0


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    list_display = ["name", "id_masked", "region"]
    search_fields = ["name"]
    raw_id_fields = ["region"]
    exclude = ["id_digest"]
    inlines = [PostInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["region"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["region"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "address", "region"]
    search_fields = ["code"]
    raw_id_fields = ["region"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "id_masked", "region"]
    search_fields = ["name"]
    raw_id_fields = ["region", "household"]
    exclude = ["id_digest"]
