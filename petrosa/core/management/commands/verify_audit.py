"""manage.py verify_audit: check the audit trail's hash chain; exit 1 on any broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from petrosa.core.audit_chain import audit_seal, audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name every event that was changed, deleted or slipped in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seal", action="store_true", help="Seal pending events first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            while audit_seal():
                pass
        result = audit_verify()
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.intact:
            raise CommandError(f"audit trail NOT intact: {len(result.problems)} problem(s) in {result.sealed} sealed")
        self.stdout.write(f"audit trail intact: {result.sealed} events sealed, {result.unsealed_recent} awaiting the sealer")
