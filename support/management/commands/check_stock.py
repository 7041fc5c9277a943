"""``manage.py check_stock``: the batches whose quantity differs from the sum of their
movements; exits 1 if there is any (a cron or monitoring check)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from support.reserves.services import check_stock


class Command(BaseCommand):
    help = "Check every stock batch against the sum of its movements; exit 1 on a mismatch."

    def add_arguments(self, parser):
        parser.add_argument("--warehouse", type=int, default=None, help="one warehouse id")

    def handle(self, *args, warehouse=None, **options):
        wrong = check_stock(warehouse_id=warehouse)
        for batch in wrong:
            self.stdout.write(
                f"{batch.warehouse} · {batch.item} {batch.batch_number}: "
                f"quantity {batch.quantity}, movements {batch.moved}"
            )
        if wrong:
            self.stderr.write(f"{len(wrong)} batch(es) disagree with their movements")
            sys.exit(1)
        self.stdout.write("stock agrees with its movements")
