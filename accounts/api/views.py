from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.forms import client_ip


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class TokenView(APIView):
    """POST {"username", "password"} → {"token"}; repeated failures are throttled like the login page."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenInput, responses={200: inline_serializer("Token", {"token": serializers.CharField()})})
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        username, ip = data.validated_data["username"], client_ip(request)
        if services.login_throttle_is_blocked(username=username, ip=ip):
            return Response(
                {"detail": _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None or not user.is_active:
            services.login_throttle_record_failure(username=username, ip=ip)
            return Response({"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}, status=status.HTTP_400_BAD_REQUEST)
        services.login_throttle_reset(username=username, ip=ip)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
