"""API plumbing shared by every app: pagination, the exception handler (the schema's error answers: config.schema)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ConflictError, LockedError


class StandardPagination(PageNumberPagination):
    """``?page=`` (from 1) and ``?page_size=`` (1–500, API.md); anything else there is a 400; a page past the
    last one is a 404 (DRF's "Invalid page.")."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()  # the schema says a page is a number

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({self.page_query_param: [_("Số trang phải là số nguyên từ 1.")]})
        return int(raw)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [
                    _("Số dòng mỗi trang phải là số nguyên từ 1 đến %(max)d.") % {"max": self.max_page_size}
                ]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters


def validation_error_detail(error: DjangoValidationError):
    """Turn a Django ValidationError into DRF's shape: {"field": ["message"]} or {"detail": "..."}."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    messages = [str(m) for m in error.messages]
    return {"detail": messages[0] if len(messages) == 1 else " ".join(messages), "errors": messages}


def exception_handler(exc, context):
    """Map framework-free service errors onto HTTP: 400, 403, 404, 409, 423."""
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        body = {"detail": exc.message}
        if exc.current_version is not None:
            body["version"] = exc.current_version
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, LockedError):
        return Response({"detail": exc.message}, status=423)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or _("Không tìm thấy."))
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error - "):
        # DRF does not translate this one.
        exc = exceptions.ParseError(
            _("Lỗi đọc JSON: %(error)s") % {"error": str(exc.detail).removeprefix("JSON parse error - ")}
        )
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 403 and isinstance(exc, exceptions.NotAuthenticated):
        response.status_code = 401
    if response is not None and isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response.data["wait"] = int(exc.wait)
    return response

