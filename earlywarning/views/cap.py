"""CAP pages (DESIGN12): a warning as CAP 1.2 XML, the upload page that turns an upstream
CAP message into a draft, and the Atom feed of a jurisdiction's active warnings.

The XML and the feed are read by programs as well as people: they take a signed-in
session or an API token (``Authorization: Token …``), and show exactly the warnings the
warning pages show that user."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions as drf_exceptions

from core.api.authentication import ApiTokenAuthentication
from core.exceptions import DomainError, PermissionDeniedError, ValidationFailed
from core.models import Jurisdiction
from core.roles import Role
from core.visibility import can_read_warnings
from core.web import raise_for
from earlywarning.cap import CAP_CONTENT_TYPE, MAX_CAP_BYTES, cancel_cap, cap_time, to_cap
from earlywarning.capimport import import_cap, may_import_cap
from earlywarning.choices import LEVEL_ZH, WarningLevel, WarningStatus
from earlywarning.models import HazardWarning
from earlywarning.selectors import active_warnings, visible_warnings

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def may_fetch_cap(user: Any) -> bool:
    """Warning readers, and force accounts for the warnings they were asked to answer
    (``visible_warnings`` decides which)."""
    return can_read_warnings(user) or user.has_role(Role.FORCE_ACCOUNT)


def _reader(request: HttpRequest) -> Any:
    """The user behind a session or an API token; an HttpResponse to send back otherwise
    (401 for a bad token, the login page for a browser without a session)."""
    if request.headers.get("Authorization"):
        try:
            found = ApiTokenAuthentication().authenticate(request)
        except drf_exceptions.AuthenticationFailed as exc:
            response = HttpResponse(str(exc.detail), status=401, content_type="text/plain")
            response["WWW-Authenticate"] = "Token"
            return response
        if found is not None:
            return found[0]
    if request.user.is_authenticated:
        return request.user
    return redirect_to_login(request.get_full_path())


def warning_cap(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    if isinstance(user, HttpResponse):
        return user
    if not may_fetch_cap(user):
        raise PermissionDenied
    warning = get_object_or_404(
        visible_warnings(user).select_related("hazard_type", "issuer", "previous"), pk=pk
    )
    body = cancel_cap(warning) if warning.status == WarningStatus.CANCELLED else to_cap(warning)
    response = HttpResponse(body, content_type=CAP_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{warning.identifier}.xml"'
    response["Cache-Control"] = "private, no-cache"
    return response


class CapImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CAP file"),
        required=False,
        help_text=gettext_lazy("An OASIS CAP 1.2 <alert> (.xml)."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_CAP_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(size)s KiB.") % {"size": MAX_CAP_BYTES // 1024}
                )
            data["xml"] = upload.read()
        elif data.get("text", "").strip():
            data["xml"] = data["text"].strip().encode("utf-8")
        else:
            raise forms.ValidationError(_("Choose a CAP file or paste its XML."))
        return data


def _draft_url(warning: HazardWarning) -> str:
    try:
        return reverse("earlywarning:warning_detail", args=[warning.pk])
    except NoReverseMatch:  # the warning pages are not installed: the CAP is the record
        return reverse("earlywarning:warning_cap", args=[warning.pk])


def cap_import(request: HttpRequest) -> HttpResponse:
    """Upload (or paste) an upstream CAP message; it becomes a draft to check and publish.
    Sync clients import over the API only."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.has_role(Role.SYNC_CLIENT) or not may_import_cap(user):
        raise PermissionDenied
    form = CapImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                warning, _created = import_cap(actor=user, data=form.cleaned_data["xml"])
            except PermissionDeniedError as exc:
                # The page is the importer's; the message names what is not theirs
                # (another department's hazard, an area outside the jurisdiction).
                form.add_error(None, exc.detail)
                status = 403
            except ValidationFailed as exc:
                form.add_error(None, exc.detail)
            except DomainError as exc:
                raise_for(exc)
                form.add_error(None, exc.detail)
            else:
                names = {"identifier": warning.source_identifier, "sender": warning.source_sender}
                if _created:
                    text = _("Imported %(identifier)s of %(sender)s as a draft to publish.")
                    messages.success(request, text % names)
                else:
                    text = _("%(identifier)s was imported before: here is its draft.")
                    messages.info(request, text % names)
                return redirect(_draft_url(warning))
    return render(request, "earlywarning/cap/import.html", {"form": form}, status=status)


def _atom(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def warning_feed(request: HttpRequest, code: str) -> HttpResponse:
    """RFC 4287 feed of the warnings in force in jurisdiction ``code``: those whose area
    lies in it, and those covering it from above."""
    user = _reader(request)
    if isinstance(user, HttpResponse):
        return user
    if not can_read_warnings(user):
        raise PermissionDenied
    place = Jurisdiction.objects.filter(code=code).first()
    if place is None:
        raise Http404
    now = timezone.now()
    warnings = list(
        active_warnings(user)
        .filter(
            Q(areas__path__startswith=place.path) | Q(areas__code__in=place.ancestors_and_self())
        )
        .distinct()
        .order_by("-published_at", "-id")
    )
    feed_url = request.build_absolute_uri()
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _atom(root, "id", f"tag:{request.get_host().split(':')[0]},2026:warnings:{place.code}")
    _atom(root, "title", _("Warnings in force: %(place)s") % {"place": place.name})
    updated = max((w.published_at or w.updated_at for w in warnings), default=None) or now.replace(
        microsecond=0
    )
    _atom(root, "updated", cap_time(updated))
    _atom(root, "link", rel="self", href=feed_url, type="application/atom+xml")
    author = _atom(root, "author")
    _atom(author, "name", _("Linkage command platform"))
    for warning in warnings:
        cap_url = request.build_absolute_uri(reverse("earlywarning:warning_cap", args=[warning.pk]))
        level = WarningLevel(warning.level)
        entry = _atom(root, "entry")
        _atom(entry, "id", f"urn:linkage:warning:{warning.identifier}")
        _atom(entry, "title", warning.headline)
        _atom(entry, "updated", cap_time(warning.published_at or warning.updated_at))
        _atom(entry, "published", cap_time(warning.published_at or warning.created_at))
        _atom(entry, "link", rel="alternate", href=cap_url, type=CAP_CONTENT_TYPE)
        _atom(entry, "category", term=level.value, label=LEVEL_ZH[level], scheme="level")
        _atom(entry, "category", term=warning.hazard_type.code, label=warning.hazard_type.name)
        entry_author = _atom(entry, "author")
        _atom(entry_author, "name", warning.issuer.name)
        _atom(entry, "summary", warning.description, type="text")
    ET.register_namespace("", ATOM_NS)
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    response = HttpResponse(body, content_type=ATOM_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-cache"
    return response


urlpatterns = [
    path("<int:pk>/cap.xml", warning_cap, name="warning_cap"),
    path("import/", cap_import, name="cap_import"),
    path("feed/<str:code>.atom", warning_feed, name="warning_feed"),
]
