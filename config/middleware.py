"""Vietnamese first: pages follow the language the user picked (cookie), not the browser's wish list.

The API keeps honouring ``Accept-Language`` (API.md: messages follow the request's language).
"""


class PagesIgnoreAcceptLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
