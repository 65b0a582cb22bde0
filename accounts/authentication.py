"""``Authorization: Token <key>`` for the API, with tokens that end (``accounts.models.ApiToken``)."""

import re

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import services

KEY_SHAPE = re.compile(r"^[0-9a-f]{40}$")


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    """DRF's token header, checked against ``services.api_token_for_key``; ``request.auth`` is the ApiToken."""

    def authenticate_credentials(self, key):
        # A key of the wrong shape is refused before any query.
        token = services.api_token_for_key(key) if KEY_SHAPE.match(key) else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."))
        return token.user, token
