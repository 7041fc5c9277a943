"""``manage.py verify_audit``: recompute the event hash chain and report the first break."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Check the hash chain of the event log in seq order; exit non-zero at the first "
        "changed, deleted or re-ordered event."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args, chunk_size: int, **options) -> None:
        report = verify_chain(chunk_size=chunk_size)
        if not report.intact:
            # CommandError: message on stderr and exit status 1.
            raise CommandError(
                f"chain broken at seq {report.broken_seq}: {report.reason} "
                f"({report.count} events intact before it)"
            )
        self.stdout.write(f"{report.count} events, chain intact up to seq {report.last_seq or 0}")
