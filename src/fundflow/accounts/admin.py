"""The Django admin for users: role and scope edited on the user page, login records, lockouts.

Role/region/unit combinations are validated by :func:`fundflow.accounts.services.check_scope`, the same rule the
``fundflow users`` commands apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from fundflow.accounts.models import LockedLogin, LoginEvent, Profile
from fundflow.accounts.services import AccountError, check_scope


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Profile
        fields = ("role", "region", "unit", "office")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        role, region = data.get("role"), data.get("region")
        if role and region:
            try:
                check_scope(role, region, data.get("unit"))
            except AccountError as exc:
                raise forms.ValidationError(exc.message) from None
        return data


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Profile
    form = ProfileForm
    can_delete = False
    verbose_name = verbose_name_plural = "角色与所属地区"
    autocomplete_fields = ("region", "unit")


user_model = get_user_model()
admin.site.unregister(user_model)


@admin.register(user_model)
class FundflowUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = (ProfileInline,)
    list_display = ("username", "role", "region", "is_active", "is_superuser", "last_login")
    list_select_related = ("profile__region",)
    list_filter = ("profile__role", "is_active", "is_superuser")

    @admin.display(description="角色")
    def role(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else ""

    @admin.display(description="所属地区")
    def region(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return str(profile.region) if profile else ""


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProfileForm
    list_display = ("user", "role", "region", "unit")
    list_filter = ("role",)
    autocomplete_fields = ("region", "unit")


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Audit records are written by the system only."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "kind", "ip_address", "path", "user_agent")
    list_filter = ("kind", "at")
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(LockedLogin)
class LockedLoginAdmin(ReadOnlyAdmin):
    """Failed-login counters per user name and address; deleting a row lifts that lockout."""

    list_display = ("username_shown", "address", "failures", "locked", "last_attempt")
    search_fields = ("username", "ip_address")
    actions = ("unlock",)

    @admin.display(description="用户名", ordering="username")
    def username_shown(self, obj: LockedLogin) -> str:
        return obj.username or ""

    @admin.display(description="来源地址", ordering="ip_address")
    def address(self, obj: LockedLogin) -> str:
        return obj.ip_address or ""

    @admin.display(description="连续失败次数", ordering="failures_since_start")
    def failures(self, obj: LockedLogin) -> int:
        return int(obj.failures_since_start)

    @admin.display(description="已锁定", boolean=True)
    def locked(self, obj: LockedLogin) -> bool:
        return int(obj.failures_since_start) >= int(settings.AXES_FAILURE_LIMIT)

    @admin.display(description="最近一次", ordering="attempt_time")
    def last_attempt(self, obj: LockedLogin) -> Any:
        return obj.attempt_time

    @admin.action(description="解除所选的登录锁定")
    def unlock(self, request: Any, queryset: Any) -> None:
        count = queryset.count()
        for attempt in queryset:
            attempt.delete()  # one by one, so axes' post_delete handler clears any cached state
        self.message_user(request, f"已解除 {count} 条登录锁定。")
