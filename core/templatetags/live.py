"""``{% live_seq %}``: the newest event the signed-in user may see, for a page's
``data-live-seq`` (static/js/live.js resumes its feed exactly after what the page shows),
so that a page becomes live without its view knowing about the feed."""

from __future__ import annotations

from django import template

from core.web import latest_seq

register = template.Library()


@register.simple_tag(takes_context=True)
def live_seq(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return latest_seq(user)
