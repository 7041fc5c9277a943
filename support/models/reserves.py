"""Material reserves, the "1+4" system (Linqing §二.(一), §四.(三)): warehouses and reserve
points of each kind, the item catalogue, stock in batches, the minimum level (or, for
enterprise-capacity and commercial-agreement reserves, the agreed capacity and the time to
deliver) per warehouse and item, and every stock movement.

Stock on hand is ``StockBatch.quantity``, changed only by ``support.reserves.services`` in
the same transaction as the ``StockMovement`` that explains it; the database refuses a
negative batch, and ``check_stock`` proves the batches equal the sum of their movements.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import external_id_field, unique_external_id
from core.models import Jurisdiction, Organisation
from core.phones import validate_personal_phone
from core.querysets import ScopedQuerySet
from support.choices import ItemCategory, MovementKind, ReserveKind
from support.models._geo import both_or_none, latitude_field, longitude_field

__all__ = ["ReserveItem", "StockBatch", "StockLevel", "StockMovement", "Warehouse"]

QUANTITY = {"max_digits": 14, "decimal_places": 2}


class Warehouse(models.Model):
    """A warehouse or reserve point (储备库/点) of one of the five kinds."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("reserve kind"), max_length=24, choices=ReserveKind.choices)
    owner = models.ForeignKey(
        Organisation, models.PROTECT, related_name="warehouses", verbose_name=_("owner")
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, models.PROTECT, related_name="warehouses", verbose_name=_("jurisdiction")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    keeper_name = models.CharField(_("keeper"), max_length=50)
    keeper_phone = models.CharField(
        _("keeper phone"), max_length=20, validators=[validate_personal_phone]
    )
    # Commercial agreements and enterprise capacity: the contract that binds the supplier.
    agreement_number = models.CharField(_("agreement number"), max_length=60, blank=True)
    agreement_expires = models.DateField(_("agreement expires"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    external_id = external_id_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["jurisdiction__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="warehouse_unique_name_in_jurisdiction"
            ),
            unique_external_id("warehouse"),
            both_or_none("warehouse"),
        ]

    def __str__(self) -> str:
        return self.name


class ReserveItem(models.Model):
    """The item catalogue (物资目录): one row per item and specification, shared by every
    warehouse."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10)
    category = models.CharField(_("category"), max_length=16, choices=ItemCategory.choices)
    # Warn this many days before a batch expires (0: the item does not expire).
    expiry_warning_days = models.PositiveSmallIntegerField(_("expiry warning (days)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    external_id = external_id_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reserve item")
        verbose_name_plural = _("reserve items")
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(fields=["name", "spec"], name="reserveitem_unique_name_spec"),
            unique_external_id("reserveitem"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.spec}）" if self.spec else self.name


class StockLevel(models.Model):
    """What a warehouse keeps of an item: the minimum level below which an alert is
    raised, or for a capacity reserve the agreed capacity and the hours to deliver."""

    jurisdiction_lookup = "warehouse__jurisdiction"

    warehouse = models.ForeignKey(
        Warehouse, models.CASCADE, related_name="levels", verbose_name=_("warehouse")
    )
    item = models.ForeignKey(
        ReserveItem, models.PROTECT, related_name="levels", verbose_name=_("item")
    )
    minimum = models.DecimalField(
        _("minimum level"), **QUANTITY, default=0, validators=[MinValueValidator(0)]
    )
    agreed_capacity = models.DecimalField(
        _("agreed capacity"), **QUANTITY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    delivery_hours = models.PositiveSmallIntegerField(_("hours to deliver"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["warehouse", "item"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="stocklevel_unique"),
            models.CheckConstraint(condition=models.Q(minimum__gte=0), name="stocklevel_min_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.item}"


class StockBatch(models.Model):
    """A batch of an item in a warehouse: its quantity on hand and expiry."""

    jurisdiction_lookup = "warehouse__jurisdiction"

    warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, related_name="batches", verbose_name=_("warehouse")
    )
    item = models.ForeignKey(
        ReserveItem, models.PROTECT, related_name="batches", verbose_name=_("item")
    )
    batch_number = models.CharField(_("batch"), max_length=40)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.DecimalField(_("quantity on hand"), **QUANTITY, default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock batch")
        verbose_name_plural = _("stock batches")
        ordering = ["warehouse", "item", "expiry_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "item", "batch_number"], name="stockbatch_unique"
            ),
            # Stock never goes negative: the last line of defence under the service's lock.
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="stockbatch_quantity_ge_0"
            ),
        ]
        indexes = [models.Index(fields=["item", "warehouse"], name="stockbatch_item_wh")]

    def __str__(self) -> str:
        return f"{self.item} {self.batch_number}"


class StockMovement(models.Model):
    """One change of one batch, never edited: received, issued, transferred or a count
    adjustment with its reason. ``delta`` is signed; ``balance`` is the batch after it."""

    jurisdiction_lookup = "batch__warehouse__jurisdiction"

    batch = models.ForeignKey(
        StockBatch, models.PROTECT, related_name="movements", verbose_name=_("batch")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    delta = models.DecimalField(_("change"), **QUANTITY)
    balance = models.DecimalField(_("balance after"), **QUANTITY)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # A transfer is two movements, out and in, pointing at each other's batch.
    counterpart = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="counterpart_of",
        verbose_name=_("counterpart"),
    )
    allocation_line = models.ForeignKey(
        "support.AllocationLine",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("allocation line"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), db_index=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(delta=0), name="stockmovement_nonzero"),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="stockmovement_balance_ge_0"
            ),
        ]
        indexes = [models.Index(fields=["batch", "at"], name="stockmovement_batch_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delta}"
