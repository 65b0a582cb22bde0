import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Người dùng")

    def ready(self):
        from django.conf import settings

        if settings.PLAIN_HTTP and not settings.DEBUG:
            logging.getLogger("ntm.security").warning(
                "PLAIN_HTTP is on: no HTTPS redirect, no HSTS, cookies sent over plain HTTP. "
                "Use this only on a closed intranet; unset PLAIN_HTTP behind a TLS proxy."
            )
