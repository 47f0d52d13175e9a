"""digigov audit verify: check every chain of the audit log."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from digigov.core import audit


class Command(BaseCommand):
    help = "Verify the hash-chained audit log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify()
        for problem in report.problems:
            self.stderr.write(str(problem))
        summary = f"{report.entries} entries in {report.chains} chains"
        if not report.ok:
            raise CommandError(
                f"audit log is NOT intact: {len(report.problems)} problems, {summary}"
            )
        self.stdout.write(f"audit log intact: {summary}")
