"""digigov api_credential: keys for an organisation's own systems to call the API."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from digigov.core import queries as core_queries
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.identity import actions, queries
from digigov.identity.models import ApiCredential, StaffMembership


class Command(BaseCommand):
    help = "Create, list and revoke API credentials of an organisation."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        create = commands.add_parser("create", help="make a credential and print its key once")
        create.add_argument("--organisation", required=True)
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            choices=ApiCredential.Scope.values,
            help="repeatable",
        )
        create.add_argument(
            "--role",
            default=StaffMembership.Role.CASE_WORKER,
            choices=StaffMembership.Role.values,
            help="the process role the system acts in (default handlaggare)",
        )
        create.add_argument(
            "--service",
            action="append",
            default=[],
            help="only this service's cases, e.g. BYGGLOV (repeatable; default every service)",
        )
        create.add_argument(
            "--secret-cases",
            action="store_true",
            help="may read secret cases too (such as ekonomiskt bistånd); off by default",
        )
        listing = commands.add_parser("list")
        listing.add_argument("--organisation", required=True)
        revoke = commands.add_parser("revoke")
        revoke.add_argument("--organisation", required=True)
        revoke.add_argument("key_id")

    def _organisation(self, slug: str) -> Organisation:
        found = core_queries.organisation_by_slug(slug)
        if found is None:
            raise CommandError(f"no organisation is called {slug!r}")
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        actor = Actor.system("command")
        if options["operation"] == "create":
            try:
                credential, key = actions.create_api_credential(
                    actor=actor,
                    organisation=organisation,
                    name=options["name"],
                    scopes=options["scope"],
                    role=options["role"],
                    services=options["service"],
                    secret_cases=options["secret_cases"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(f"credential {credential.key_id} for {organisation.slug}")
            self.stdout.write("key (shown once, keep it secret):")
            self.stdout.write(key)
        elif options["operation"] == "list":
            for credential in queries.api_credentials(organisation.pk):
                state = "revoked" if credential.revoked_at else "active"
                scopes = ",".join(credential.scopes)
                services = ",".join(credential.services) or "*"
                secret = "secret" if credential.secret_cases else "-"
                self.stdout.write(
                    f"{credential.key_id}  {state:7}  {credential.role:13} {scopes:24} "
                    f"{services:20} {secret:6} {credential.name}"
                )
        else:
            found = (
                queries.api_credentials(organisation.pk).filter(key_id=options["key_id"]).first()
            )
            if found is None:
                raise CommandError(f"{organisation.slug} has no credential {options['key_id']!r}")
            actions.revoke_api_credential(actor=actor, credential=found)
            self.stdout.write(f"revoked {found.key_id}")
