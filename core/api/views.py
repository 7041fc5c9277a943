from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api.serializers import JurisdictionSerializer, MeSerializer, OrganisationSerializer
from core.api.viewsets import ScopedReadOnlyViewSet
from core.models import Jurisdiction, Organisation


class TokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` → ``{"token": "..."}``."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        # django-axes sees the DRF request inside authenticate(), not the Django one its
        # middleware looks at: answer a locked-out pair here, before and after trying.
        from axes.handlers.proxy import AxesProxyHandler

        from core.audit import SecurityEvent, record_security_event
        from core.models import User
        from core.views import lockout_response

        credentials = {"username": str(request.data.get("username", ""))[:150]}

        def refused(**payload):
            record_security_event(
                type=SecurityEvent.TOKEN_REFUSED,
                request=request,
                username=credentials["username"],
                payload=payload or None,
            )

        if AxesProxyHandler.is_locked(request._request, credentials):
            refused(locked=True)
            return lockout_response(request._request)
        try:
            response = super().post(request, *args, **kwargs)
        except ValidationError:
            locked = AxesProxyHandler.is_locked(request._request, credentials)
            refused(**({"locked": True} if locked else {}))
            if locked:
                return lockout_response(request._request)
            raise
        user = User.objects.filter(username=credentials["username"]).first()
        record_security_event(type=SecurityEvent.TOKEN_ISSUED, request=request, user=user)
        return response


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class JurisdictionViewSet(ScopedReadOnlyViewSet):
    queryset = Jurisdiction.objects.select_related("parent")
    serializer_class = JurisdictionSerializer
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
    filterset_fields = ["kind", "linkage_tier", "jurisdiction"]
    search_fields = ["name", "short_name", "sector"]
