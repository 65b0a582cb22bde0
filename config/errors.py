"""Framework-free domain errors that services raise; the API exception handler and page views map them.

- ``django.core.exceptions.ValidationError`` → 400 with field messages (or a form error on a page)
- ``django.core.exceptions.PermissionDenied`` → 403
- ``ConflictError`` → 409 (a stale ``version``)
- ``LockedError`` → 423 (an approved, locked object)
"""


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
# language on every API route (an unknown /api/ path included), Django's own pages elsewhere.


def _api_error(request, message: str, status: int):
    from config.middleware import error_response, is_api

    return error_response(request, message, status) if is_api(request) else None


def bad_request(request, exception):
    from django.utils.translation import gettext as _
    from django.views import defaults

    return _api_error(request, _("Yêu cầu không hợp lệ."), 400) or defaults.bad_request(request, exception)


def permission_denied(request, exception):
    from django.utils.translation import gettext as _
    from django.views import defaults

    message = str(exception) if exception and str(exception) else _("Bạn không có quyền thực hiện thao tác này.")
    return _api_error(request, message, 403) or defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    from django.utils.translation import gettext as _
    from django.views import defaults

    return _api_error(request, _("Không tìm thấy."), 404) or defaults.page_not_found(request, exception)


def server_error(request):
    from django.utils.translation import gettext as _
    from django.views import defaults

    return _api_error(request, _("Đã xảy ra lỗi máy chủ. Vui lòng thử lại sau."), 500) or defaults.server_error(request)
