"""List personnel and experts whose stored ID number fails GB 11643 (check character,
format or birth date). Nothing is changed."""

from django.core.management.base import BaseCommand

from forces.id_number_audit import invalid_id_numbers
from forces.models import Expert, Personnel


class Command(BaseCommand):
    help = "List personnel and experts whose ID number is not valid by GB 11643."

    def handle(self, *args, **options) -> None:
        found = invalid_id_numbers(Personnel, Expert)
        for row in found:
            self.stdout.write(row.line())
        self.stdout.write(f"{len(found)} invalid ID number(s).")
