from django.contrib.auth import authenticate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.signin.forms import otp_refusal
from portal.signin.lockout import lockout_message
from portal.signin.services import api_token_issue, api_token_revoke


class SignInLocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="Staff, wherever DEBUG is off: the 6-digit code from the authenticator app, or a recovery code.",
    )


_DETAIL = inline_serializer("SignInDetail", {"detail": serializers.CharField()})


class TokenView(APIView):
    """Exchange a username and password (and, for staff wherever DEBUG is off, a one-time code) for an API token.
    Every call issues a new token; earlier ones stay valid until they expire or are signed out."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
                    "expiry": serializers.DateTimeField(),
                },
            ),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Wrong username or password, or a missing or wrong one-time code; the messages say which.",
            ),
            429: OpenApiResponse(_DETAIL, description="Too many failed sign-ins for this account or address."),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False):
            raise SignInLocked(lockout_message(request))
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}, code="authorization"
            )
        refusal = otp_refusal(user, data.get("otp", ""))
        if refusal:
            raise exceptions.ValidationError({"non_field_errors": [refusal]}, code="otp")
        instance, key = api_token_issue(user=user)
        expiry = serializers.DateTimeField(format=knox_settings.EXPIRY_DATETIME_FORMAT).to_representation(
            instance.expiry
        )
        return Response({"token": key, "expiry": expiry})


class LogoutView(APIView):
    """Sign out the token this request carries; the user's other tokens stay valid."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The token no longer works."), 401: _DETAIL},
    )
    def post(self, request, *args, **kwargs):
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
