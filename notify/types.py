"""Values that cross the boundary between notify and the apps that call it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Recipient:
    label: str  # shown on pages: "24小时值班电话", "队长 张三", a user's name
    user_id: int | None = None
    phone: str = ""  # full number; stored, masked on every page/API/log
    email: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "user_id": self.user_id,
            "phone": self.phone,
            "email": self.email,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recipient:
        return cls(
            label=str(data.get("label", "")),
            user_id=data.get("user_id"),
            phone=str(data.get("phone") or ""),
            email=str(data.get("email") or ""),
        )


@dataclass(frozen=True)
class Responder:
    """Who answered through a channel; built only by notify after verification (or by a
    domain page with channel "web")."""

    channel: str  # "sms" | "voice" | "link" | "web"
    label: str  # e.g. "短信回复，138****5678" (already masked)
    delivery_id: int | None = None


@dataclass(frozen=True)
class InboundOutcome:
    ok: bool
    answer: str  # the Chinese sentence sent back / shown
    code: str  # notify.choices.InboundCode


@dataclass(frozen=True)
class NotifyRequest:
    """One ``notify`` call, for ``notify_many``."""

    purpose: str
    subject: models.Model
    jurisdiction: models.Model
    audiences: Mapping[str, Sequence[Recipient]]
    title: str
    body: str
    link: str = ""
    organisation: models.Model | None = None
    expires_at: datetime.datetime | None = None
