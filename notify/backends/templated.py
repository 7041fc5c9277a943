"""Our free-text SMS as the parameters of a commercial service's approved template.

Alibaba Cloud and Tencent Cloud send only pre-approved templates, signed by the service
with an approved sign name. The platform's SMS all have one shape (DESIGN10,
"Messages"): ``【联调联战】<text>。回复<code><action>，或点 <link>``; the answer to a reply
is ``<text>`` alone. So two templates are registered with the service:

- the call template, variables ``text``, ``code``, ``action``, ``link`` — e.g.
  ``${text}。回复${code}${action}，或点 ${link}`` (Tencent: ``{1}。回复{2}{3}，或点 {4}``);
- the answer template, variable ``text`` only (Tencent ``{1}``); without one, answers go
  through the call template with the other variables empty.

The sign 【…】 is the service's to add (SignName), so it is taken off the text. ``text``
is shortened to NOTIFY_SMS_PARAM_LIMIT characters (the services limit one variable);
the link's page shows the whole message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

_SIGN = re.compile(r"^\s*【[^】]{1,20}】")
_LINK = re.compile(r"https?://\S+")
_REPLY = re.compile(r"[，,。\s]*回复\s*(\d{3,8})\s*(\w{1,4}?)(?=[，,。\s]|$)")


@dataclass(frozen=True)
class TemplateParams:
    text: str
    code: str = ""
    action: str = ""
    link: str = ""

    @property
    def is_call(self) -> bool:
        return bool(self.code or self.link)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def template_params(body: str, *, limit: int | None = None) -> TemplateParams:
    limit = limit or getattr(settings, "NOTIFY_SMS_PARAM_LIMIT", 35)
    text = _SIGN.sub("", body, count=1)
    link_match = _LINK.search(text)
    link = link_match.group(0) if link_match else ""
    code = action = ""
    reply = _REPLY.search(text)
    if reply:
        code, action = reply.group(1), reply.group(2)
        text = text[: reply.start()]
    elif link_match:
        text = text[: link_match.start()]
    text = text.strip().rstrip("，,。:： ")
    return TemplateParams(text=_shorten(text, limit), code=code, action=action, link=link)
