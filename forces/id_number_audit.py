"""Find stored ID numbers that GB 11643 refuses. Used by the data migration that reports
them once after the check-digit fix and by ``manage.py check_id_numbers``; both only
report, never change a row: the person's record must be corrected by its organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forces.validators import id_number_problem


@dataclass(frozen=True)
class InvalidIdNumber:
    model: str
    pk: int
    organisation_id: int
    organisation: str
    problem: str

    def line(self) -> str:
        # Never the number itself: the report goes to logs and terminals.
        return (
            f"{self.model} #{self.pk} · organisation #{self.organisation_id} "
            f"{self.organisation} · {self.problem}"
        )


def invalid_id_numbers(personnel: Any, expert: Any) -> list[InvalidIdNumber]:
    """Rows of ``personnel`` and ``expert`` (model classes, live or from a migration's
    app registry) whose non-blank ID number is not valid."""
    sources = (
        ("Personnel", personnel, "force__organisation_id", "force__organisation__name"),
        ("Expert", expert, "organisation_id", "organisation__name"),
    )
    found = []
    for label, model, org_id, org_name in sources:
        rows = (
            model.objects.exclude(id_number="")
            .order_by(org_id, "pk")
            .values_list("pk", "id_number", org_id, org_name)
        )
        for pk, number, organisation_id, organisation in rows.iterator():
            problem = id_number_problem(number)
            if problem is not None:
                found.append(InvalidIdNumber(label, pk, organisation_id, organisation, problem))
    return found
