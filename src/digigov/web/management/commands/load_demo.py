from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from digigov.web import demo


class Command(BaseCommand):
    help = "Load the demo organisations and staff accounts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.load()
        self.stdout.write(
            f"demo data ready: {counts['organisations']} organisations, {counts['staff']} staff "
            f"accounts, {counts['people']} people in the population register, "
            f"{counts['services']} services installed, {counts['cases']} demo cases made"
        )
