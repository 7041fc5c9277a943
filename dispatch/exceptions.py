"""Refusals of the dispatch chain, each with a stable code."""

from core.exceptions import ConflictError, InvalidTransition, PermissionDeniedError


class DrafterCannotApprove(PermissionDeniedError):
    code = "drafter_cannot_approve"


class ConsentMissing(ConflictError):
    """Liaocheng §三.一.2: in a special period the industry department consents first."""

    code = "consent_missing"


class AlreadyDecided(InvalidTransition):
    code = "already_decided"


class ForceUnavailable(ConflictError):
    code = "force_unavailable"
