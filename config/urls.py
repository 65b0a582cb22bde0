from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from overview import views as overview_views

api_v1 = [
    path("auth/", include("accounts.api.urls")),
    path("", include("communes.api.urls")),
    path("", include("criteria.api.urls")),
    path("", include("overview.api.urls")),
    path("ocop/", include("ocop.api.urls")),
    path("", include("directives.api.urls")),
    path("", include("reports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: no inline script, as the Content-Security-Policy asks.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema"), name="docs"),
]

urlpatterns = [
    path("", overview_views.home, name="home"),
    path("dashboard/", overview_views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("", include("communes.urls")),
    path("criteria/", include("criteria.urls")),
    path("overview/", include("overview.urls")),
    path("ocop/", include("ocop.urls")),
    path("directives/", include("directives.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# JSON errors on the API, Django's pages elsewhere.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
# Uploaded files (evidence, report PDFs, product photos) are never served from MEDIA_ROOT directly:
# each download goes through a view that checks the user's scope.
