"""digigov staff save: create a staff account and set its roles."""

from __future__ import annotations

import getpass
import os
from argparse import ArgumentParser, BooleanOptionalAction
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from digigov.core import queries as core_queries
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_person_identifier
from digigov.identity import actions, queries
from digigov.identity.models import StaffMembership


class Command(BaseCommand):
    help = "Create or update a staff account and set its roles exactly (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        save = commands.add_parser("save")
        policy = commands.add_parser(
            "policy", help="what an organisation asks of its staff's sign-in"
        )
        policy.add_argument("organisation", help="the organisation's slug")
        policy.add_argument(
            "--second-factor",
            choices=["required", "optional"],
            required=True,
            help="a one-time code (TOTP) after the password",
        )
        factor = commands.add_parser("reset-second-factor", help="for a lost phone")
        factor.add_argument("--username", required=True)
        save.add_argument("--username", required=True)
        save.add_argument("--first-name", required=True)
        save.add_argument("--last-name", required=True)
        save.add_argument(
            "--role",
            action="append",
            default=[],
            metavar="ORGANISATION:ROLE",
            help=f"repeatable; roles: {', '.join(StaffMembership.Role.values)}",
        )
        save.add_argument(
            "--superuser",
            action=BooleanOptionalAction,
            default=None,
            help="the operator's account: every organisation in the admin (--no-superuser undoes)",
        )
        save.add_argument(
            "--personnummer",
            help='tie the account to this person\'s e-ID ("" unties it); e-ID sign-in finds it',
        )
        save.add_argument(
            "--password-from-env",
            metavar="VARIABLE",
            help="read the password from this environment variable instead of asking",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "policy":
            organisation = core_queries.organisation_by_slug(options["organisation"])
            if organisation is None:
                raise CommandError(f"no organisation is called {options['organisation']!r}")
            actions.set_staff_policy(
                actor=Actor.system("operator-command"),
                organisation=organisation,
                second_factor=options["second_factor"] == "required",
            )
            self.stdout.write(f"{organisation.slug}: second factor {options['second_factor']}")
            return
        if options["operation"] == "reset-second-factor":
            found = get_user_model().objects.filter(username=options["username"]).first()
            if found is None:
                raise CommandError(f"no staff account is called {options['username']!r}")
            actions.remove_second_factor(actor=Actor.system("operator-command"), user=found)
            self.stdout.write(f"{found.get_username()}: second factor removed")
            return
        roles = []
        for spec in options["role"]:
            slug, _, role = spec.partition(":")
            organisation = core_queries.organisation_by_slug(slug)
            if organisation is None:
                raise CommandError(f"no organisation is called {slug!r}")
            if role not in StaffMembership.Role.values:
                raise CommandError(
                    f"unknown role {role!r}; use one of {', '.join(StaffMembership.Role.values)}"
                )
            roles.append((organisation, role))
        if options["personnummer"]:
            try:
                number = parse_person_identifier(options["personnummer"]).value
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            holder = queries.staff_by_eid(number)
            if holder is not None and holder.get_username() != options["username"]:
                raise CommandError(
                    f"{options['personnummer']} is tied to the account {holder.get_username()!r}"
                )
        variable = options["password_from_env"]
        password = os.environ.get(variable, "") if variable else getpass.getpass("Password: ")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user = actions.save_staff_account(
            actor=Actor.system("operator-command"),
            username=options["username"],
            password=password,
            first_name=options["first_name"],
            last_name=options["last_name"],
            roles=roles,
            superuser=options["superuser"],
        )
        if options["personnummer"] is not None:
            try:
                actions.set_staff_eid(
                    actor=Actor.system("operator-command"),
                    user=user,
                    number=options["personnummer"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"saved {options['username']} with {len(roles)} roles")
