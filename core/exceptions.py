"""Domain errors raised by services; the API exception handler maps them to 4xx."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused operation with a stable machine-readable ``code``."""

    code = "domain_error"
    status_code = 400

    def __init__(self, detail: str, *, code: str | None = None, errors: Any = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors


class ValidationFailed(DomainError):
    code = "invalid"
    status_code = 400


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    status_code = 403


class NotFoundError(DomainError):
    code = "not_found"
    status_code = 404


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status_code = 409


class ConflictError(DomainError):
    code = "conflict"
    status_code = 409
