"""E-mail copies through Django's configured EMAIL_BACKEND."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notify.backends.base import BaseBackend, OutboundMessage, SendResult, TemporaryFailure


class EmailBackend(BaseBackend):
    max_batch = 50

    def send_messages(self, messages: list[OutboundMessage]) -> list[SendResult]:
        subject_prefix = "【联调联战】"
        emails = []
        for message in messages:
            first_line, _sep, rest = message.body.partition("\n")
            email = EmailMessage(
                subject=f"{subject_prefix}{first_line}"[:150],
                body=rest or first_line,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
                headers={"X-Linkage-Key": message.key},
            )
            emails.append(email)
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except OSError as error:
            raise TemporaryFailure(f"mail server: {error}") from error
        results = []
        try:
            for message, email in zip(messages, emails, strict=True):
                try:
                    sent = connection.send_messages([email])
                except OSError as error:
                    results.append(SendResult(key=message.key, accepted=False, error=str(error)))
                    continue
                results.append(SendResult(key=message.key, accepted=bool(sent)))
        finally:
            connection.close()
        return results
