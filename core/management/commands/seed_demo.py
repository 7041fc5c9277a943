"""``manage.py seed_demo``: build the demo city through the services (see ``core.demo``)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import demo


class Command(BaseCommand):
    help = (
        "Build the 聊城市 demo (organisations, accounts for every role, forces, experts) "
        "through the services. Safe to run again: existing rows are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Password of every demo account; given on a later run, it resets them all.",
        )
        parser.add_argument(
            "--list-users",
            action="store_true",
            help="Only print the demo accounts (username, role, organisation, jurisdiction).",
        )
        parser.add_argument(
            "--json", action="store_true", help="With --list-users: print a JSON array."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"] and not options["list_users"]:
            raise CommandError("--json only goes with --list-users.")
        if options["list_users"]:
            self._list_users(as_json=options["json"])
            return
        report = demo.build_demo(password=options["password"])
        if report.fixtures_loaded:
            self.stdout.write(f"Loaded reference data: {', '.join(report.fixtures_loaded)}")
        for what, created in report.created.items():
            self.stdout.write(f"{what}: {created} created")
        if report.passwords_reset:
            self.stdout.write(f"passwords reset: {report.passwords_reset}")
        self.stdout.write(self.style.SUCCESS("Demo ready."))

    def _list_users(self, *, as_json: bool) -> None:
        rows = demo.list_demo_users()
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stderr.write("No demo accounts yet: run `manage.py seed_demo` first.")
            return
        for line in demo.format_user_table(rows):
            self.stdout.write(line)
