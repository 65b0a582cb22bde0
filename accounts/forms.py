import ipaddress

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm

from . import services
from .models import User


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the last X-Forwarded-For hop when a trusted proxy sets it."""
    if request is None:
        return ""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops and _is_address(hops[-1]):
            return hops[-1]
    address = request.META.get("REMOTE_ADDR") or ""
    return address if _is_address(address) else ""


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ThrottledLoginMixin:
    """Sign-in through ``services.login_attempt_begin``: the same throttle as the API token endpoint."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        try:
            attempt = services.login_attempt_begin(username=username, address=client_ip(self.request))
        except services.LoginThrottled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        cleaned = super().clean()  # a wrong password raises here, and the attempt stays counted
        services.login_attempt_succeeded(attempt)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The login page's form."""


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The Django admin's login form (``admin.site.login_form``)."""


class UserScopeAdminForm(UserChangeForm):
    """The admin's user form: a commune officer's communes follow the rule of ``add_user`` (at least one, all on
    today's map; none for another role)."""

    class Meta(UserChangeForm.Meta):
        model = User
        fields = [
            "username", "password", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser",
            "groups", "user_permissions", "last_login", "date_joined", "role", "district", "communes", "agency",
            "extra_communes",
        ]

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned and "communes" in self.fields:
            errors = services.scope_errors(
                role=cleaned["role"], district=None, agency=None, communes=list(cleaned.get("communes") or []),
            )
            if errors.get("communes"):
                self.add_error("communes", errors["communes"])
        return cleaned
