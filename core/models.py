"""Places, organisations, users and the domain event log (SPEC §1, §8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, Group
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import JurisdictionLevel, LinkageTier, OrganisationKind, RiskClass
from core.phones import validate_personal_phone, validate_phone
from core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from core.roles import Role

division_code_validator = RegexValidator(
    r"^(\d{6}|\d{9}|\d{12})$", _("A GB/T 2260 code has 6 digits; statistical codes 9 or 12.")
)


class Jurisdiction(models.Model):
    """A node of the administrative-division tree (行政区划), GB/T 2260 code kept as text.

    ``path`` holds the codes from the root down ("370000/371500/371581/") so that
    "this jurisdiction and below" is one indexed prefix match.
    """

    code = models.CharField(
        _("division code"), max_length=12, unique=True, validators=[division_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        prefix = self.parent.path if self.parent_id else ""
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    def contains(self, other: Jurisdiction) -> bool:
        """True if ``other`` is this jurisdiction or lies below it."""
        return other.path.startswith(self.path)

    def ancestors_and_self(self) -> list[str]:
        """Codes from the root down to this node."""
        return [c for c in self.path.split("/") if c]


class Organisation(models.Model):
    """A unit (单位): bureau, fire brigade, industry department, enterprise … (SPEC §1).

    Each organisation owns one auth group; django-guardian grants object permissions
    ("which forces may this organisation edit") to that group.
    """

    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    sector = models.CharField(
        _("sector"),
        max_length=50,
        blank=True,
        help_text=_("For industry departments: 水利, 交通运输, 卫健 …"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="organisations", verbose_name=_("jurisdiction")
    )
    linkage_tier = models.PositiveSmallIntegerField(
        _("linkage tier"), choices=LinkageTier.choices, default=LinkageTier.TIER_3
    )
    risk_class = models.CharField(
        _("risk class"),
        max_length=16,
        choices=RiskClass.choices,
        default=RiskClass.NORMAL,
        help_text=_(
            "High-risk enterprises and crowded venues drill more often (Linqing §四.(二))."
        ),
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    duty_phone = models.CharField(
        _("24-hour duty phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    group = models.OneToOneField(
        Group, models.PROTECT, null=True, blank=True, editable=False, related_name="organisation"
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["jurisdiction__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="organisation_unique_name_in_jurisdiction"
            ),
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="organisation_unique_uscc"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if self.group_id is None:
            self.group = Group.objects.create(name=f"org:{self.pk}")
            super().save(update_fields=["group"])


class User(AbstractUser):
    """A person or client account. Belongs to one organisation, hence one jurisdiction."""

    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    display_name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_personal_phone]
    )
    # Null: changed before this was recorded (unknown), which never counts as expired.
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs) -> None:
        # Every way of changing a password ends here (set_password() then save()); a hash
        # upgrade at login clears ``_password`` first and is not a change.
        changed = self._password is not None
        adding = self._state.adding
        # create_user() stores the hash without set_password(): a new account's password
        # dates from its creation too.
        if changed or (adding and not self.password_changed_at and self.has_usable_password()):
            self.password_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
        super().save(*args, **kwargs)
        if not adding and (changed or not self.is_active):
            ApiToken.objects.filter(user_id=self.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )

    @cached_property
    def role_names(self) -> frozenset[str]:
        from core.roles import Role

        valid = set(Role.values)
        return frozenset(n for n in self.groups.values_list("name", flat=True) if n in valid)

    def has_role(self, *roles: Role | str) -> bool:
        return bool(self.role_names.intersection(str(r) for r in roles))

    @property
    def jurisdiction(self) -> Jurisdiction | None:
        return self.organisation.jurisdiction if self.organisation_id else None

    @property
    def is_platform_admin(self) -> bool:
        from core.roles import Role

        return self.is_superuser or self.has_role(Role.ADMINISTRATOR)


class EventCounter(models.Model):
    """One row holding the last issued event sequence number.

    Taking it ``FOR UPDATE`` makes event sequence order equal commit order, so a
    reader that has seen ``seq = n`` can never later find an event below ``n``.
    """

    value = models.BigIntegerField(default=0)
    # The hash of the event holding ``value``: the next event chains onto it while this
    # row is locked, so the chain follows commit order (RELIABILITY.md: audit).
    last_hash = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return str(self.value)


class Event(models.Model):
    """The append-only domain event log (SPEC §8): every state change, in commit order.

    Written by ``core.events.record_event`` in the same transaction as the change;
    timelines, live screens and provincial sync read it.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    type = models.CharField(_("type"), max_length=64, db_index=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="events", verbose_name=_("jurisdiction")
    )
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_label = models.CharField(_("subject"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    # Set by record_event (not auto_now_add) so the hashed value is the stored one.
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # The organisation the subject belongs to (an order's force's organisation, a roll-call
    # target's force's organisation, …): decides what own-organisation roles see.
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    # Tamper evidence: sha256 over this row's content and the previous row's hash.
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    hash = models.CharField(_("hash"), max_length=64, blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type} {self.subject_label}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise ValueError("events are append-only")


class PersonalDataAccess(models.Model):
    """Who saw which masked phone number in full, when and why (ECOSYSTEM.md: unmasking
    needs a permission and is audited; 等保 audit trail). Append-only."""

    user = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name=_("user"))
    accessed_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_label = models.CharField(_("subject"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=32)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-accessed_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.subject_label} · {self.field}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise ValueError("the access log is append-only")


class PasswordHistory(models.Model):
    """Hashes of a user's recent passwords (等保: not one of the last five). Written by
    ``core.passwords.PasswordHistoryValidator.password_changed``."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="password_history", verbose_name=_("user")
    )
    password = models.CharField(_("password"), max_length=128)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class TokenKind(models.TextChoices):
    PERSON = "person", _("Person")
    SYNC_CLIENT = "sync_client", _("Sync client")


class ApiToken(models.Model):
    """An API token. Only the sha256 of its secret is stored; ``prefix`` (the secret's
    first characters) tells tokens apart in lists. Issued and ended by
    ``core.credentials``; checked by ``core.api.authentication``."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=TokenKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    rotated_at = models.DateTimeField(_("rotated"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"


class RequestNonce(models.Model):
    """A nonce of a signed API request (core.api.authentication.SignedRequestAuthentication),
    kept while its timestamp is inside the accepted window: the unique constraint refuses
    the same nonce twice, whichever node receives it. Pruned by a periodic tick."""

    token = models.ForeignKey(ApiToken, models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "nonce"], name="core_request_nonce_once")
        ]

    def __str__(self) -> str:
        return self.nonce
