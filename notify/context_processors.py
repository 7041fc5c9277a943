"""The bell and the notification links of the navigation bar, on every page. Each value
is computed only if the page shows it (a fragment or an error page asks nothing)."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from notify import permissions, selectors


def notifications(request):
    user = getattr(request, "user", None)
    if not permissions.may_read_inbox(user):
        return {}
    return {
        "notify_unread": SimpleLazyObject(lambda: selectors.unread_count(user)),
        "notify_operator": SimpleLazyObject(lambda: permissions.can_manage_notifications(user)),
        "notify_simulator": SimpleLazyObject(lambda: permissions.may_use_simulator(user)),
        # The bell stops polling an unused page before the idle timeout (static/js/notify.js).
        "notify_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
