"""Framework-free domain errors that services raise; the API exception handler and page views map them.

- ``django.core.exceptions.ValidationError`` → 400 with field messages (or a form error on a page)
- ``django.core.exceptions.PermissionDenied`` → 403
- ``ConflictError`` → 409 (a stale ``version``)
- ``LockedError`` → 423 (an approved, locked object)
"""

from django.http import HttpResponse
from django.utils.html import format_html


class ConflictError(Exception):
    """The object changed since the client read it (stale version)."""

    status_code = 409

    def __init__(self, message, *, current_version=None):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class LockedError(Exception):
    """The object is locked (e.g. an approved assessment) until it is reopened."""

    status_code = 423

    def __init__(self, message):
        super().__init__(message)
        self.message = message



# Error views (``handler400`` … ``handler500`` in config/urls.py): JSON ``{"detail": …}`` in the request's
# language on every API route (an unknown /api/ path included), the app's own pages (in its layout) elsewhere.


def _api_error(request, message: str, status: int):
    from config.middleware import error_response, is_api

    return error_response(request, message, status) if is_api(request) else None


def _error_page(request, template: str, status: int, title: str, message: str):
    """The app's own error page, in its layout (menu, language switch), in the request's language."""
    from django.template import loader
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    back_url = referer if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}) else ""
    context = {"error_status": status, "error_title": title, "error_message": message, "back_url": back_url}
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


def _message_of(exception) -> str:
    """The message a view raised with (already translated), not Django's internal English ones."""
    from django.urls import Resolver404

    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    message = exception.args[0]
    if not isinstance(message, str) or "matches the given query" in message:
        return ""
    return message


def bad_request(request, exception):
    from django.utils.translation import gettext as _

    message = _("Yêu cầu không hợp lệ.")
    return _api_error(request, message, 400) or _error_page(
        request, "errors/400.html", 400, _("Yêu cầu không hợp lệ (400)"), message
    )


def permission_denied(request, exception):
    from django.utils.translation import gettext as _

    message = _message_of(exception) or _("Bạn không có quyền thực hiện thao tác này.")
    return _api_error(request, message, 403) or _error_page(
        request, "errors/403.html", 403, _("Không có quyền (403)"), message
    )


def page_not_found(request, exception):
    from django.utils.translation import gettext as _

    message = _message_of(exception) or _("Không tìm thấy trang hoặc mục bạn cần.")
    return _api_error(request, _("Không tìm thấy."), 404) or _error_page(
        request, "errors/404.html", 404, _("Không tìm thấy (404)"), message
    )


def server_error(request):
    from django.utils.translation import gettext as _

    message = _("Đã xảy ra lỗi máy chủ. Vui lòng thử lại sau.")
    api = _api_error(request, message, 500)
    if api is not None:
        return api
    try:
        return _error_page(request, "errors/500.html", 500, _("Lỗi máy chủ (500)"), message)
    except Exception:  # noqa: BLE001 - the layout itself may be what failed (e.g. the database is down)
        body = format_html(
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{}</title></head>'
            '<body><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></body></html>',
            _("Lỗi máy chủ (500)"), _("Lỗi máy chủ (500)"), message, _("Về trang chủ"),
        )
        return HttpResponse(body, status=500)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: an expired or missing form token, explained, in the app's layout."""
    from django.utils.translation import gettext as _

    message = _("Biểu mẫu đã hết hạn hoặc không còn hợp lệ nên chưa được gửi; chưa có gì thay đổi.")
    return _api_error(request, message, 403) or _error_page(
        request, "errors/csrf.html", 403, _("Biểu mẫu hết hạn"), message
    )
