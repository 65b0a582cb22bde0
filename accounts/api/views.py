from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.forms import client_ip
from accounts.models import ApiToken
from config.schema import error_responses


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


TokenOutput = inline_serializer("Token", {"token": serializers.CharField()})
Throttled = inline_serializer("SignInThrottled", {"detail": serializers.CharField(), "wait": serializers.IntegerField()})


class TokenView(APIView):
    """POST {"username", "password"} → {"token"}: a new token at every sign-in, valid API_TOKEN_LIFETIME_DAYS.

    DELETE (with ``Authorization: Token <key>``) revokes that token: the API's logout. Failed sign-ins are
    throttled with the login page and the admin (``services.login_attempt_begin``).
    """

    permission_classes = [AllowAny]

    def get_authenticators(self):
        # Signing in needs no credentials; logging out needs the token being revoked.
        if self.request is not None and self.request.method == "DELETE":
            from accounts.authentication import ExpiringTokenAuthentication

            return [ExpiringTokenAuthentication()]
        return []

    @extend_schema(
        request=TokenInput, auth=[],
        responses={200: TokenOutput, 429: OpenApiResponse(Throttled), **error_responses(400, 401, 413, 415)},
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        try:
            attempt = services.login_attempt_begin(username=username, address=client_ip(request))
        except services.LoginThrottled as throttled:
            return Response(
                {"detail": throttled.message, "wait": throttled.wait_seconds},
                status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(throttled.wait_seconds)},
            )
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None or not user.is_active:
            # API.md: 401 for bad credentials.
            return Response(
                {"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}, status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "Token"},
            )
        services.login_attempt_succeeded(attempt)
        _token, key = services.api_token_issue(user=user)
        return Response({"token": key})

    @extend_schema(request=None, responses={204: None, **error_responses(401)})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated(_("Cần gửi mã truy cập cần thu hồi (Authorization: Token …)."))
        services.api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)

