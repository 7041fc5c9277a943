"""The change feed over REST (SPEC §8, §11)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.visibility import viewer_of
from sync import selectors
from sync.api.serializers import ChangePageSerializer, ChangesQuerySerializer


class ReadsEvents(permissions.BasePermission):
    message = _("Your role reads no events.")

    def has_permission(self, request, view) -> bool:
        return viewer_of(request.user).reads_anything()


class ChangesView(APIView):
    """Every change you may see after a cursor, in commit order, with the subject's
    current representation (or a tombstone). Store `next` and send it back as `after`:
    nothing is missed, nothing comes twice."""

    permission_classes = [permissions.IsAuthenticated, ReadsEvents]

    @extend_schema(
        operation_id="sync_changes",
        parameters=[ChangesQuerySerializer],
        responses={200: ChangePageSerializer},
    )
    def get(self, request: Request) -> Response:
        query = ChangesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = selectors.changes_after(
            request.user,
            after=params["after"],
            limit=params["limit"],
            kinds=set(params["kind"]) if params.get("kind") else None,
            jurisdiction=params.get("jurisdiction"),
        )
        return Response({"changes": page.changes, "next": page.next, "more": page.more})
