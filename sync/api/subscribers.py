"""``/api/v1/sync/subscribers/``: administrators list, read, create and change the push
subscribers of their jurisdiction (and pause, resume, retry, move the cursor); a sync
client reads the subscribers that push for it. The signing secret is returned once, in
the answer to the creation (or to a change that sets a new one), never on reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core import subjects
from core.audit import client_address
from core.exceptions import NotFoundError, PermissionDeniedError
from sync import services
from sync.models import Subscriber
from sync.status import lag_of


class SubscriberStatusSerializer(serializers.Serializer):
    cursor = serializers.IntegerField(help_text=_("Last seq the endpoint acknowledged."))
    pending_until = serializers.IntegerField(
        allow_null=True, help_text=_("End of the batch in flight, resent until acknowledged.")
    )
    lag = serializers.IntegerField(
        help_text=_("Events visible to the client after the cursor (counted up to 10000).")
    )
    lag_bounded = serializers.BooleanField(help_text=_("More events wait than lag counts."))
    latest_seq = serializers.IntegerField(help_text=_("Newest seq the client may see."))
    failing = serializers.BooleanField()
    attempts = serializers.IntegerField(min_value=0)
    last_error = serializers.CharField(allow_blank=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField()


class SubscriberSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    client = serializers.IntegerField(source="client_id", read_only=True)
    client_username = serializers.CharField(source="client.username", read_only=True)
    kinds = serializers.ListField(child=serializers.CharField(max_length=64), max_length=50)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Subscriber
        fields = [
            "id",
            "name",
            "url",
            "jurisdiction",
            "jurisdiction_name",
            "client",
            "client_username",
            "kinds",
            "active",
            "created_at",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(SubscriberStatusSerializer)
    def get_status(self, obj: Subscriber) -> dict:
        lag = lag_of(obj)
        return SubscriberStatusSerializer(
            {
                "cursor": obj.cursor,
                "pending_until": obj.pending_until,
                "lag": lag.events,
                "lag_bounded": lag.bounded,
                "latest_seq": lag.latest_seq,
                "failing": obj.failing,
                "attempts": obj.attempts,
                "last_error": obj.last_error,
                "last_attempt_at": obj.last_attempt_at,
                "last_success_at": obj.last_success_at,
                "next_attempt_at": obj.next_attempt_at,
            }
        ).data


class SubscriberCreatedSerializer(SubscriberSerializer):
    secret = serializers.CharField(
        help_text=_("The signing secret, shown this once; keep it at the receiver.")
    )

    class Meta(SubscriberSerializer.Meta):
        fields = [*SubscriberSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriberChangedSerializer(SubscriberSerializer):
    secret = serializers.CharField(
        required=False, help_text=_("The new signing secret, echoed once when one was set.")
    )

    class Meta(SubscriberSerializer.Meta):
        fields = [*SubscriberSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class KindsMixin:
    """``kinds``: the subject kinds the change feed knows, known once every app has
    registered its subjects (core.subjects), so built per serializer instance."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        fields["kinds"] = serializers.ListField(
            child=serializers.ChoiceField(choices=subjects.feed_kinds()),
            max_length=50,
            required=False,
            help_text=_("Subject kinds to push (incident, force …); empty pushes every kind."),
        )
        return fields


class SubscriberWriteSerializer(KindsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    jurisdiction = serializers.RegexField(
        r"^\d{6,12}$", max_length=12, help_text=_("Division code of the subscriber's jurisdiction.")
    )
    client = serializers.IntegerField(
        min_value=1, help_text=_("Id of the sync-client account whose view is pushed.")
    )
    active = serializers.BooleanField(required=False, default=True)
    cursor = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_("Start after this seq; default the latest (only what happens from now)."),
    )
    secret = serializers.CharField(
        min_length=16,
        max_length=128,
        required=False,
        write_only=True,
        help_text=_("Signing secret; the platform generates one when omitted."),
    )


class SubscriberUpdateSerializer(KindsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=500, required=False)
    client = serializers.IntegerField(min_value=1, required=False)
    secret = serializers.CharField(min_length=16, max_length=128, required=False, write_only=True)


class CursorSerializer(serializers.Serializer):
    cursor = serializers.IntegerField(min_value=0)


class SubscriberReader(permissions.BasePermission):
    message = _("Your role may not read sync subscribers.")

    def has_permission(self, request, view) -> bool:
        return services.can_read_subscribers(request.user)


@extend_schema_view(
    list=extend_schema(summary=_("Push subscribers with their cursor, lag and last error")),
    retrieve=extend_schema(summary=_("One push subscriber")),
)
class SubscriberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SubscriberSerializer
    permission_classes = [permissions.IsAuthenticated, SubscriberReader]
    queryset = Subscriber.objects.none()
    ordering_fields: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    filterset_fields: tuple[str, ...] = ()
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"  # a non-numeric id is no route (404), never a 500

    def get_queryset(self):
        return services.subscribers_visible_to(self.request.user).order_by("pk")

    def _manageable(self, pk) -> int:
        if not services.can_manage_subscribers(self.request.user):
            if self.get_queryset().filter(pk=pk).exists():
                raise PermissionDeniedError(str(_("Only administrators keep sync subscribers.")))
            raise NotFoundError(str(_("No such subscriber.")))
        return int(pk)

    def _answer(self, subscriber: Subscriber, secret: str = "", code=status.HTTP_200_OK):
        subscriber = self.get_queryset().get(pk=subscriber.pk)
        if secret:
            data = {**SubscriberSerializer(subscriber).data, "secret": secret}
            return Response(data, status=code)
        return Response(SubscriberSerializer(subscriber).data, status=code)

    @extend_schema(
        request=SubscriberWriteSerializer,
        responses={201: SubscriberCreatedSerializer},
        summary=_("Register a push subscriber (administrators)"),
    )
    def create(self, request: Request) -> Response:
        if not services.can_manage_subscribers(request.user):
            raise PermissionDeniedError(str(_("Only administrators keep sync subscribers.")))
        incoming = SubscriberWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        issued = services.create_subscriber(
            actor=request.user,
            data=dict(incoming.validated_data),
            ip_address=client_address(request),
        )
        return self._answer(issued.subscriber, issued.secret, status.HTTP_201_CREATED)

    @extend_schema(
        request=SubscriberUpdateSerializer,
        responses={200: SubscriberChangedSerializer},
        summary=_("Change a push subscriber (administrators); a new secret is echoed once"),
    )
    def partial_update(self, request: Request, pk=None) -> Response:
        subscriber_id = self._manageable(pk)
        incoming = SubscriberUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        subscriber = services.update_subscriber(
            actor=request.user,
            subscriber_id=subscriber_id,
            data=data,
            ip_address=client_address(request),
        )
        return self._answer(subscriber, data.get("secret", ""))

    def _step(self, service, request: Request, pk) -> Response:
        """Pause, resume or retry now: one service call on a subscriber the user keeps."""
        subscriber = service(
            actor=request.user,
            subscriber_id=self._manageable(pk),
            ip_address=client_address(request),
        )
        return self._answer(subscriber)

    @extend_schema(request=None, responses={200: SubscriberSerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk=None) -> Response:
        return self._step(services.pause_subscriber, request, pk)

    @extend_schema(request=None, responses={200: SubscriberSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk=None) -> Response:
        return self._step(services.resume_subscriber, request, pk)

    @extend_schema(request=None, responses={200: SubscriberSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        return self._step(services.retry_now, request, pk)

    @extend_schema(
        request=CursorSerializer,
        responses={200: SubscriberSerializer},
    )
    @action(detail=True, methods=["post"], url_path="reset-cursor")
    def reset_cursor(self, request: Request, pk=None) -> Response:
        subscriber_id = self._manageable(pk)
        incoming = CursorSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        subscriber = services.reset_cursor(
            actor=request.user,
            subscriber_id=subscriber_id,
            cursor=incoming.validated_data["cursor"],
            ip_address=client_address(request),
        )
        return self._answer(subscriber)
