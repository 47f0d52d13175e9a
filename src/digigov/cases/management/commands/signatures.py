"""digigov signatures verify | verify-decision: check an application's, or a decision's,
e-ID signatures again."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from digigov.cases import signing
from digigov.cases.queries import application_by_reference, decision_by_number


class Command(BaseCommand):
    help = (
        "Check the e-ID signatures of a submitted application (by its receipt number), or of "
        "a signed decision (by its organisation and registrar number)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        verify = commands.add_parser("verify", help="check the signatures again, now")
        verify.add_argument("reference", help="the receipt number, as ABCD-EFGH-JK")
        decision = commands.add_parser(
            "verify-decision", help="check a decision's signature again, now"
        )
        decision.add_argument("organisation", help="the organisation's short name, as exempelby")
        decision.add_argument("registrar_number", help="the case's number, as 'TN 2026/00001'")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "verify-decision":
            self._decision(options["organisation"], options["registrar_number"])
            return
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

    def _decision(self, organisation: str, number: str) -> None:
        decision = decision_by_number(organisation, number)
        if decision is None:
            raise CommandError(f"{organisation} has no decided case numbered {number!r}")
        signature = decision.signature
        if signature is None:
            raise CommandError(f"the decision in {number} is not signed with e-ID")
        problem = signing.verify_decision(decision)
        verdict = "valid" if not problem else f"NOT VALID: {problem}"
        self.stdout.write(
            f"{decision.case.registrar_number}: {decision.outcome_label_sv}, signed by "
            f"{signature.signer_name} ({signature.signer}) with {signature.method} at "
            f"{signature.signed_at:%Y-%m-%d %H:%M:%S}: {verdict}"
        )
        if problem:
            raise CommandError(problem)
