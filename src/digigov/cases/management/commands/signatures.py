"""digigov signatures verify: check an application's e-ID signatures again."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from digigov.cases import signing
from digigov.cases.queries import application_by_reference


class Command(BaseCommand):
    help = "Check the e-ID signatures of a submitted application (by its receipt number)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        verify = commands.add_parser("verify", help="check the signatures again, now")
        verify.add_argument("reference", help="the receipt number, as ABCD-EFGH-JK")

    def handle(self, *args: Any, **options: Any) -> None:
        application = application_by_reference(options["reference"].strip().upper())
        if application is None:
            raise CommandError(
                f"no submitted application has the receipt number {options['reference']!r}"
            )
        document_problem, outcomes = signing.verify(application)
        if not outcomes:
            raise CommandError(f"{application.reference} has no e-ID signature")
        self.stdout.write(f"{application.reference}: SHA-256 {application.signing_digest}")
        for outcome in outcomes:
            signature = outcome.signature
            verdict = "valid" if not outcome.problem else f"NOT VALID: {outcome.problem}"
            self.stdout.write(
                f"  signed by {signature.signer_name} ({signature.signer}) with {signature.method} "
                f"at {signature.signed_at:%Y-%m-%d %H:%M:%S}: {verdict}"
            )
        if document_problem or any(outcome.problem for outcome in outcomes):
            raise CommandError(document_problem or "a signature does not hold")
        self.stdout.write("the document and every signature hold")
