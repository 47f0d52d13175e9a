"""digigov organisation save|list: the operator's way to add and change organisations."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from digigov.core import actions, queries
from digigov.core.actors import Actor


class Command(BaseCommand):
    help = "Add or change an organisation (idempotent), or list them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        save = commands.add_parser("save", help="create or update an organisation")
        save.add_argument("--slug", required=True, help="short name used in addresses")
        save.add_argument("--name", required=True)
        save.add_argument("--kind", required=True, choices=["kommun", "region", "myndighet"])
        save.add_argument("--organisationsnummer", required=True)
        save.add_argument("--kommunkod", default="", help="four digits; municipalities only")
        save.add_argument(
            "--name-staff",
            choices=["yes", "no"],
            help="name staff in people's data tracker (default: by role only)",
        )
        commands.add_parser("list", help="list the organisations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "list":
            for organisation in queries.organisations():
                self.stdout.write(
                    f"{organisation.slug}\t{organisation.organisation_number}\t"
                    f"{organisation.kind}\t{organisation.name}"
                )
            return
        try:
            organisation = actions.save_organisation(
                actor=Actor.system("operator-command"),
                slug=options["slug"],
                name=options["name"],
                kind=options["kind"],
                organisation_number=options["organisationsnummer"],
                municipality_code=options["kommunkod"],
                name_staff_in_data_tracker=None
                if options["name_staff"] is None
                else options["name_staff"] == "yes",
            )
        except ValidationError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from error
        self.stdout.write(f"saved {organisation.slug}: {organisation.name}")
