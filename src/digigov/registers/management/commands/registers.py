"""digigov registers: the base registers' synthetic data."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from digigov.core.actors import Actor
from digigov.registers import actions


class Command(BaseCommand):
    help = "digigov registers generate --people N [--seed S]: add a synthetic population."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        make = commands.add_parser("generate", help="add N generated people, deterministic by seed")
        make.add_argument("--people", type=int, required=True)
        make.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["people"]
        if not 1 <= count <= 50_000_000:
            raise CommandError("--people is 1 to 50,000,000")
        started = time.perf_counter()

        def progress(made: int) -> None:
            rate = made / max(time.perf_counter() - started, 1e-9)
            self.stdout.write(f"  {made:>12,} people ({rate:,.0f} a second)")
            self.stdout.flush()

        done = actions.generate_population(
            actor=Actor.system("command"), count=count, seed=options["seed"], progress=progress
        )
        self.stdout.write(
            f"{done.people:,} people and {done.guardians:,} guardian links in "
            f"{time.perf_counter() - started:.0f} s"
        )
