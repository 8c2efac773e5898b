from django.contrib import admin

from fundflow.regions.models import BudgetUnit, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    search_fields = ("code", "name")
    list_filter = ("level",)


@admin.register(BudgetUnit)
class BudgetUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "kind")
    search_fields = ("code", "name")
