"""An installation that serves no province yet (its units not imported) answers 503 with what to do, not a 500."""

from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .served import NoServedProvince


class NoServedProvinceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, NoServedProvince):
            return None
        message = str(exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503)
        title = _("Hệ thống chưa sẵn sàng")
        # A page of its own: the layout's context needs the served province, which is what is missing.
        body = (
            f'<!doctype html><html lang="{escape(get_language() or "vi")}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"</head><body><main><h1>{escape(title)}</h1><p>{escape(message)}</p></main></body></html>"
        )
        return HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
