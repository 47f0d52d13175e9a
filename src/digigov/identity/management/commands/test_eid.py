"""digigov test_eid: register your own relying party with the built-in test e-ID provider."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from digigov.core.actors import Actor
from digigov.identity import actions, queries


class Command(BaseCommand):
    help = (
        "Register, list and remove relying parties of the built-in test e-ID provider, so "
        "an integrator can sign in to their own system with the test people."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        add = commands.add_parser("add", help="register a client and print its secret once")
        add.add_argument("--name", required=True, help="what the client is, for the list")
        add.add_argument(
            "--redirect-uri", action="append", required=True, help="repeatable; exact match"
        )
        add.add_argument("--client-id", default="", help="default: test-<random>")
        commands.add_parser("list")
        remove = commands.add_parser("remove")
        remove.add_argument("client_id")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TEST_EID_ENABLED:
            raise CommandError("the test e-ID provider is off here (DIGIGOV_EID_PROVIDERS)")
        actor = Actor.system("command")
        if options["operation"] == "add":
            try:
                client, secret = actions.register_test_client(
                    actor=actor,
                    name=options["name"],
                    redirect_uris=options["redirect_uri"],
                    client_id=options["client_id"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            public = settings.PUBLIC_URL.rstrip("/")
            self.stdout.write(f"client_id:     {client.client_id}")
            self.stdout.write(f"client_secret: {secret}  (shown once, keep it)")
            self.stdout.write(f"issuer:        {public}/test-eid")
        elif options["operation"] == "list":
            for listed in queries.test_clients():
                uris = " ".join(listed.redirect_uris)
                self.stdout.write(f"{listed.client_id}  {listed.name}  {uris}")
        else:
            found = queries.test_client(options["client_id"])
            if found is None:
                raise CommandError(f"no test client {options['client_id']!r}")
            actions.remove_test_client(actor=actor, client=found)
            self.stdout.write(f"removed {options['client_id']}")
