"""Password rules of 等保 2.0 level 3 (Django password validators, AUTH_PASSWORD_VALIDATORS):
three of four character classes, and none of the last five passwords again.

Django calls ``password_changed`` of every configured validator from ``User.save()``
after ``set_password()``, so the history is kept whichever page, form, command or
service changed the password.
"""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_CLASSES = (
    lambda ch: ch in string.ascii_lowercase,
    lambda ch: ch in string.ascii_uppercase,
    lambda ch: ch in string.digits,
    lambda ch: not (ch in string.ascii_letters or ch in string.digits),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, capitals, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        used = sum(any(test(ch) for ch in password) for test in _CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must contain at least %(n)d of: lower-case letters, capital "
            "letters, digits, symbols."
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Not one of the user's last ``keep`` passwords (the current one included)."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        from core.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                : self.keep
            ]
        )
        # Users from before the history: their current password counts too. After
        # set_password() (``_password`` set) the stored hash is already the new one.
        if getattr(user, "_password", None) is None and user.password:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        from core.models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        stale = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            self.keep :
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return ngettext(
            "Your password cannot be your last password.",
            "Your password cannot be one of your last %(n)d passwords.",
            self.keep,
        ) % {"n": self.keep}
