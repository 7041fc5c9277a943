from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import credentials
from core.api.serializers import JurisdictionSerializer, MeSerializer, OrganisationSerializer
from core.api.viewsets import ScopedReadOnlyViewSet
from core.audit import client_address
from core.models import ApiToken, Jurisdiction, Organisation


class OtpRequired(exceptions.AuthenticationFailed):
    default_code = "otp_required"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Username"))
    password = serializers.CharField(label=gettext_lazy("Password"), trim_whitespace=False)
    otp = serializers.CharField(
        label=gettext_lazy("One-time code"), required=False, allow_blank=True, max_length=16
    )
    name = serializers.CharField(
        label=gettext_lazy("Name"), required=False, allow_blank=True, max_length=100
    )

    def validate(self, attrs):
        user = authenticate(
            request=self.context["request"], username=attrs["username"], password=attrs["password"]
        )
        if not user:
            raise ValidationError(
                _("Unable to log in with provided credentials."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _token_response(issued: credentials.IssuedToken) -> Response:
    return Response(
        {
            "token": issued.secret,
            "expires_at": serializers.DateTimeField().to_representation(issued.token.expires_at),
        }
    )


class TokenView(APIView):
    """``POST {"username", "password"[, "otp"][, "name"]}`` → ``{"token", "expires_at"}``.

    People's tokens last ``API_TOKEN_HOURS``, the sync client's ``SYNC_TOKEN_DAYS``. A user
    who must log in with a second factor sends the current code as ``otp``."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request, *args, **kwargs):
        # django-axes sees the DRF request inside authenticate(), not the Django one its
        # middleware looks at: answer a locked-out pair here, before and after trying.
        from axes.handlers.proxy import AxesProxyHandler

        from core.audit import SecurityEvent, record_security_event
        from core.views import lockout_response

        username = str(request.data.get("username", ""))[:150]
        credentials_ = {"username": username}

        def refused(**payload):
            record_security_event(
                type=SecurityEvent.TOKEN_REFUSED,
                request=request,
                username=username,
                payload=payload or None,
            )

        if AxesProxyHandler.is_locked(request._request, credentials_):
            refused(locked=True)
            return lockout_response(request._request)
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            locked = AxesProxyHandler.is_locked(request._request, credentials_)
            refused(**({"locked": True} if locked else {}))
            if locked:
                return lockout_response(request._request)
            raise
        user = serializer.validated_data["user"]
        if credentials.needs_second_factor(user):
            try:
                self._check_code(user, serializer.validated_data.get("otp", ""))
            except OtpRequired:
                refused(second_factor=True)
                raise
        issued = credentials.issue_token(user=user, name=serializer.validated_data.get("name", ""))
        record_security_event(type=SecurityEvent.TOKEN_ISSUED, request=request, user=user)
        return _token_response(issued)

    def get_authenticate_header(self, request):
        # No authentication classes here (a stale token must not block getting a new one),
        # yet a missing code is a 401 with its challenge, not a 403.
        return "Token"

    @staticmethod
    def _check_code(user, code: str) -> None:
        device = credentials.confirmed_device(user)
        if device is None:
            raise OtpRequired(
                _(
                    "This account must log in with a one-time code: set up the "
                    "authenticator app by logging in on the web page first."
                )
            )
        if not code:
            raise OtpRequired(_('Send the current one-time code as "otp".'))
        # TOTPDevice.verify_token throttles repeated failures (1 s, 2 s, 4 s … apart).
        if not device.verify_token(code.strip()):
            raise OtpRequired(_("The one-time code is wrong or expired."))


class TokenRotateView(APIView):
    """``POST`` with a sync client's token → a new token; the old one keeps working for
    ``SYNC_TOKEN_OVERLAP_HOURS``."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=None, responses=TokenResponseSerializer)
    def post(self, request, *args, **kwargs):
        if not isinstance(request.auth, ApiToken):
            raise ValidationError(_("Authenticate with the token to rotate."))
        issued = credentials.rotate_token(
            token_id=request.auth.pk, ip_address=client_address(request)
        )
        return _token_response(issued)


class ApiTokenSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "username",
            "prefix",
            "kind",
            "name",
            "created_at",
            "expires_at",
            "last_used_at",
            "rotated_at",
            "revoked_at",
        ]


class TokenListView(generics.ListAPIView):
    """``GET`` → the caller's tokens (an administrator's: also those of the users of its
    jurisdiction), newest first; ``?user=<id>`` for one user's. Never a secret."""

    serializer_class = ApiTokenSerializer
    filter_backends: list = []  # no ordering or search over token columns

    def get_queryset(self):
        tokens = credentials.tokens_visible_to(self.request.user).select_related("user")
        user_id = self.request.query_params.get("user", "")
        if user_id:
            if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 18:
                raise ValidationError({"user": _("A user id is a number.")})
            tokens = tokens.filter(user_id=int(user_id))
        return tokens.order_by("-created_at", "-id")


class TokenRevokeView(APIView):
    """``POST`` → the token of this request is revoked; an administrator may send
    ``{"id": n}`` to revoke a token of a user in its jurisdiction."""

    @extend_schema(
        request=inline_serializer(
            "TokenRevokeRequest",
            {"id": serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)},
        ),
        responses=inline_serializer(
            "TokenRevokeResponse",
            {"id": serializers.IntegerField(), "revoked_at": serializers.DateTimeField()},
        ),
    )
    def post(self, request, *args, **kwargs):
        raw = request.data.get("id") if hasattr(request.data, "get") else None
        if raw in (None, ""):
            if not isinstance(request.auth, ApiToken):
                raise ValidationError(_('Name the token to revoke: "id".'))
            token_id = request.auth.pk
        else:
            token_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1).run_validation(
                raw
            )
        token = credentials.revoke_token(
            actor=request.user, token_id=token_id, ip_address=client_address(request)
        )
        return Response(
            {
                "id": token.pk,
                "revoked_at": serializers.DateTimeField().to_representation(token.revoked_at),
            }
        )


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class JurisdictionViewSet(ScopedReadOnlyViewSet):
    queryset = Jurisdiction.objects.select_related("parent")
    serializer_class = JurisdictionSerializer
    ordering_fields = ("code", "name")
    filterset_fields = ["level", "parent"]
    search_fields = ["name", "code"]
    lookup_field = "code"

    def get_queryset(self):
        user = self.request.user
        if user.is_superuser:
            return self.queryset.all()
        own = user.jurisdiction
        if own is None:
            return self.queryset.none()
        return self.queryset.filter(path__startswith=own.path)


class OrganisationViewSet(ScopedReadOnlyViewSet):
    queryset = Organisation.objects.select_related("jurisdiction")
    serializer_class = OrganisationSerializer
    ordering_fields = ("name",)
    filterset_fields = ["kind", "linkage_tier", "jurisdiction"]
    search_fields = ["name", "short_name", "sector"]
