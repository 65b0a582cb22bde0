"""Request and response guards shared by every page and API route.

- ``PagesIgnoreAcceptLanguageMiddleware``: Vietnamese first: pages follow the language the user picked
  (cookie), not the browser's wish list. The API keeps honouring ``Accept-Language`` (API.md).
- ``OddInputMiddleware``: control characters (NUL and the like) in the path, a query parameter, a form field
  or a JSON field are refused with a 400 and a translated message, before any view (so before any query);
  a cookie holding them is dropped; a body larger than ``NTM_MAX_REQUEST_BYTES`` is refused with a 413
  before it is read.
- ``SecurityHeadersMiddleware``: Content-Security-Policy, Permissions-Policy, and
  ``Cache-Control: private, no-store`` on API answers and file downloads.
"""

import io
import json
import re
from importlib import import_module

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files import uploadhandler
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.cache import patch_cache_control
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

# C0 controls and DEL; tab, line feed and carriage return are allowed in form and JSON text (notes).
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def error_response(request, message: str, status: int):
    """``{"detail": message}`` on the API, a small HTML page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    body = format_html(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{}</title></head>'
        "<body><h1>{}</h1><p>{}</p></body></html>",
        status, _("Yêu cầu không hợp lệ"), message,
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


class PagesIgnoreAcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def _json_problem(value, where: str) -> str | None:
    """The first place in a decoded JSON document holding a control or surrogate character, or None."""
    if isinstance(value, str):
        return where if CONTROL_IN_TEXT.search(value) or SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            shown = SURROGATE.sub("?", CONTROL.sub("?", key))
            place = f"{where}.{shown}" if where else shown
            if CONTROL.search(key) or SURROGATE.search(key):
                return place
            found = _json_problem(item, place)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _json_problem(item, f"{where}[{index}]")
            if found:
                return found
    return None


def _form(request):
    """The form fields and files of any method: Django parses them for POST only; DRF does for PUT/PATCH."""
    if request.method == "POST":
        return request.POST, request.FILES
    if request.content_type == "application/x-www-form-urlencoded":
        return QueryDict(request.body, encoding=request.encoding), MultiValueDict()
    handlers = [uploadhandler.load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    return MultiPartParser(request.META, io.BytesIO(request.body), handlers, request.encoding).parse()


class OddInputMiddleware:
    """Refuse control characters anywhere a client can put text, in one place, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem is not None:
            return problem
        return self.get_response(request)

    def refuse(self, request, where: str):
        message = _("Yêu cầu có ký tự điều khiển không hợp lệ (ví dụ NUL) ở %(where)s.") % {"where": where}
        return error_response(request, message, 400)

    def problem(self, request):
        self.drop_odd_cookies(request)
        if CONTROL.search(request.path_info):
            return self.refuse(request, _("đường dẫn"))
        for key, values in request.GET.lists():
            if CONTROL.search(key) or any(CONTROL.search(value) for value in values):
                return self.refuse(request, _("tham số “%(name)s”") % {"name": CONTROL.sub("?", key)})
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.NTM_MAX_REQUEST_BYTES:
            return self.too_large(request, settings.NTM_MAX_REQUEST_BYTES)
        content_type = request.content_type or ""
        try:
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                fields, uploads = _form(request)
                for key, values in fields.lists():
                    if CONTROL.search(key) or any(CONTROL_IN_TEXT.search(value) for value in values):
                        return self.refuse(request, _("trường “%(name)s”") % {"name": CONTROL.sub("?", key)})
                for key, upload in uploads.items():
                    if CONTROL.search(upload.name or ""):
                        return self.refuse(request, _("tên tệp của trường “%(name)s”") % {"name": key})
            elif content_type == "application/json" or content_type.endswith("+json"):
                try:
                    document = json.loads(request.body or b"null")
                except ValueError:
                    return None  # the API's parser answers with its own message
                where = _json_problem(document, "")
                if where is not None:
                    return self.refuse(request, _("trường “%(name)s”") % {"name": where or "JSON"})
        except RequestDataTooBig:
            # form fields (files aside) or a JSON body above Django's in-memory limit
            return self.too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except TooManyFieldsSent:
            return error_response(request, _("Yêu cầu có quá nhiều trường."), 400)
        return None

    @staticmethod
    def drop_odd_cookies(request) -> None:
        """A cookie holding control characters is not the app's: it is ignored (a fresh session if it was the
        session cookie) rather than refused, so a browser with a spoiled cookie can still sign in."""
        odd = [name for name, value in request.COOKIES.items() if CONTROL.search(name) or CONTROL.search(value)]
        for name in odd:
            del request.COOKIES[name]
        if settings.SESSION_COOKIE_NAME in odd and hasattr(request, "session"):
            request.session = import_module(settings.SESSION_ENGINE).SessionStore(None)

    def too_large(self, request, limit: int):
        megabytes = f"{limit / (1024 * 1024):.1f}".replace(".", ",")
        message = _("Yêu cầu quá lớn (tối đa %(mb)s MB).") % {"mb": megabytes}
        return error_response(request, message, 413)


class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy on every answer; no caching of API answers and downloaded files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        disposition = response.headers.get("Content-Disposition", "")
        if is_api(request) or getattr(response, "streaming", False) or disposition.startswith("attachment"):
            if "Cache-Control" in response.headers:
                del response.headers["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response
