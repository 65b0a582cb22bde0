from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    name = "overview"
    verbose_name = _("Tổng quan")

    def ready(self):
        from criteria.services.assessments import results_recorded

        from .aggregates import on_results_recorded

        results_recorded.connect(on_results_recorded, dispatch_uid="overview-aggregates")
