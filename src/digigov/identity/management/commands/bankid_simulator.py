"""digigov bankid_simulator: serve the BankID simulator, or make it play a fault."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from digigov.core.actors import Actor
from digigov.identity.bankid.simulator import actions, server
from digigov.identity.models import BankIdSimulatorFault

FAULTS = [kind.value for kind in BankIdSimulatorFault.Kind]


class Command(BaseCommand):
    help = "The BankID simulator (relying-party API v6 over mutual TLS), for demo and test."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("serve", help="listen at DIGIGOV_BANKID_SIMULATOR_ADDRESS")
        fault = commands.add_parser("fault", help="answer every call with a fault, or none")
        fault.add_argument("kind", choices=[*FAULTS, "none"])

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.BANKID_SIMULATOR:
            raise CommandError(
                "the BankID simulator is off: it runs where bankid is in DIGIGOV_EID_PROVIDERS "
                "and DIGIGOV_BANKID_URL is empty (in production also DIGIGOV_ALLOW_TEST_EID=true)"
            )
        if options["command"] == "fault":
            kind = "" if options["kind"] == "none" else options["kind"]
            actions.set_fault(kind, actor=Actor.system("bankid_simulator command"))
            self.stdout.write(f"the BankID simulator now plays: {options['kind']}")
            return
        host, port = server.address()
        listener = server.Server((host, port))
        self.stdout.write(
            f"BankID simulator on https://{settings.BANKID_SIMULATOR_ADDRESS}/rp/v6.0"
        )
        try:
            listener.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            listener.server_close()
