from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import services


def client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing a username+address after repeated failures (see LOGIN_FAILURE_LIMIT)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút."),
    }

    def clean(self):
        username = self.data.get("username", "")
        ip = client_ip(self.request)
        if services.login_throttle_is_blocked(username=username, ip=ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.login_throttle_record_failure(username=username, ip=ip)
            raise
        services.login_throttle_reset(username=username, ip=ip)
        return cleaned
