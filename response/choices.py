"""Vocabularies of graded response (分级响应, SPEC §3; Tieling §三.二.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponseHazard(models.TextChoices):
    """The hazards with a response manual and instruction list (Tieling 附件1 §13)."""

    FLOOD = "flood", _("Flood")
    DROUGHT = "drought", _("Drought")
    SNOW_ICE = "snow_ice", _("Low temperature, snow and ice")
    EARTHQUAKE_GEOLOGICAL = "earthquake_geological", _("Earthquake and geological hazard")
    FOREST_FIRE = "forest_fire", _("Forest and grassland fire")
    PRODUCTION_SAFETY = "production_safety", _("Production safety accident")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("Hazardous chemicals accident")


class ResponseLevel(models.TextChoices):
    """Ⅳ is the lowest; raising goes IV → III → II → I."""

    IV = "iv", _("Level IV")
    III = "iii", _("Level III")
    II = "ii", _("Level II")
    I = "i", _("Level I")  # noqa: E741 — the level's name is Ⅰ


# Rank for raising/lowering: a higher number is a higher response.
LEVEL_RANK = {ResponseLevel.IV: 1, ResponseLevel.III: 2, ResponseLevel.II: 3, ResponseLevel.I: 4}


class ActivationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class StepKind(models.TextChoices):
    ACTIVATED = "activated", _("Activated")
    RAISED = "raised", _("Raised")
    LOWERED = "lowered", _("Lowered")
    ENDED = "ended", _("Ended")


class InstructionStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    # The response ended or was lowered before the instruction was done.
    CANCELLED = "cancelled", _("Cancelled")


OPEN_INSTRUCTION_STATUSES = (
    InstructionStatus.SENT,
    InstructionStatus.ACKNOWLEDGED,
    InstructionStatus.IN_PROGRESS,
)
