"""The token in a vehicle pass's QR code (Liaocheng §四.2 应急救援车辆免费通行).

``django.core.signing`` (salt ``support.pass``, the platform's secret key) over the
pass's id, number, plate and end of validity. A checkpoint scans the code and opens the
public page ``/support/passes/verify/<token>/`` with no login; ``verify`` says what it
shows:

- *invalid* (无效): the signature does not hold (forged, tampered, truncated), or it
  names no pass of ours, or the pass no longer matches what was signed;
- *revoked* (已撤销): the pass was revoked;
- *expired* (已过期): its validity ended — a genuine signature does not extend it;
- *not yet valid* (未生效): its validity has not begun;
- *valid* (有效).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from support.models import VehiclePass

SALT = "support.pass"


class Verdict:
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    INVALID = "invalid"


@dataclass(frozen=True)
class Verification:
    verdict: str
    vehicle_pass: VehiclePass | None = None

    @property
    def is_valid(self) -> bool:
        return self.verdict == Verdict.VALID


def _claims(vehicle_pass: VehiclePass) -> dict[str, object]:
    return {
        "i": vehicle_pass.pk,
        "n": vehicle_pass.number,
        "p": vehicle_pass.plate,
        "u": vehicle_pass.valid_until.astimezone(datetime.UTC).isoformat(),
    }


def pass_token(vehicle_pass: VehiclePass) -> str:
    """The signed token printed in the pass's QR code (URL-safe)."""
    return signing.dumps(_claims(vehicle_pass), salt=SALT, compress=True)


def verify(token: str, *, now: datetime.datetime | None = None) -> Verification:
    """What a checkpoint's scan of ``token`` shows (one query)."""
    now = now or timezone.now()
    try:
        claims = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return Verification(Verdict.INVALID)
    if not isinstance(claims, dict) or not isinstance(claims.get("i"), int):
        return Verification(Verdict.INVALID)
    until = parse_datetime(str(claims.get("u", "")))
    found = (
        VehiclePass.objects.select_related("force", "jurisdiction", "incident")
        .filter(pk=claims["i"])
        .first()
    )
    if found is None or until is None or claims != _claims(found):
        return Verification(Verdict.INVALID)
    if found.revoked_at is not None:
        return Verification(Verdict.REVOKED, found)
    if now >= until:
        return Verification(Verdict.EXPIRED, found)
    if now < found.valid_from:
        return Verification(Verdict.NOT_YET_VALID, found)
    return Verification(Verdict.VALID, found)
