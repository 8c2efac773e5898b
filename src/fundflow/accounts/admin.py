from django.contrib import admin

from fundflow.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "unit")
    list_filter = ("role",)
