"""The benchmark's URLconf: the application's URLs plus one floor view (benchmarks only, never in production).

benchmarks/timing.py activates it with ``override_settings(ROOT_URLCONF="benchmarks.urls")`` for the
in-process client; config.urls (what gunicorn and every deployment serve) never includes it.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

FLOOR_PATH = "__bench__/floor/"


@login_required
def floor(request):
    """F_view: a bare signed-in page, the base layout and nothing else, through the full middleware."""
    return render(request, "base.html")


urlpatterns = [path(FLOOR_PATH, floor, name="bench-floor"), *app_urlpatterns]
