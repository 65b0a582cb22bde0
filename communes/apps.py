from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunesConfig(AppConfig):
    name = "communes"
    verbose_name = _("Đơn vị hành chính")

    def ready(self):
        from . import checks  # noqa: F401  (registers the served-province check)
