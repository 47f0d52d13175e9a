"""digigov mycases: check a Mina ärenden producer, pause this installation's producers,
and read the hub's log of questions."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.mycases import actions, conformance, queries


class Command(BaseCommand):
    help = (
        "digigov mycases check-producer URL --person NNNNNNNNNNNN [--header 'Name: value'] | "
        "producer SLUG --pause|--resume | questions"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        check = commands.add_parser(
            "check-producer",
            help="ask a producer a series of questions and print what does not conform to "
            "Mina ärenden 6.1",
        )
        check.add_argument(
            "url", help="the producer's base address or its kundhandelseFragaSynkron"
        )
        check.add_argument(
            "--person", required=True, help="a personnummer (12 digits) with cases there"
        )
        check.add_argument(
            "--header",
            action="append",
            default=[],
            help="a header to send with every question, 'Name: value' (repeatable), e.g. "
            "X-Road-Client when checking through a gateway",
        )
        check.add_argument("--timeout", type=float, default=10.0)
        producer = commands.add_parser(
            "producer", help="pause (answer 503, maintenance) or resume an organisation's producer"
        )
        producer.add_argument("slug")
        state = producer.add_mutually_exclusive_group(required=True)
        state.add_argument("--pause", action="store_true")
        state.add_argument("--resume", action="store_true")
        commands.add_parser("questions", help="the hub's latest questions: who asked, and how")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "check-producer":
            self._check(options)
        elif operation == "producer":
            organisation = Organisation.objects.filter(slug=options["slug"]).first()
            if organisation is None:
                raise CommandError(f"no organisation {options['slug']!r} here")
            actions.set_producer_paused(
                actor=Actor.system("command"), organisation=organisation, paused=options["pause"]
            )
            self.stdout.write(
                f"{organisation.name}'s producer is {'paused' if options['pause'] else 'answering'}"
            )
        else:
            for question in queries.recent_questions():
                failed = [o["producer"] for o in question.outcomes if o["status"] != "OK"]
                self.stdout.write(
                    f"{question.asked_at:%Y-%m-%d %H:%M:%S} {question.asker} about "
                    f"{question.user[:8]}-****: {question.status}, {len(question.outcomes)} "
                    f"producers{', failed: ' + ', '.join(failed) if failed else ''}"
                    f"{' (cached)' if question.cached else ''}, {question.milliseconds} ms"
                )

    def _check(self, options: dict[str, Any]) -> None:
        person = options["person"]
        if not (len(person) == 12 and person.isascii() and person.isdigit()):
            raise CommandError("--person is a personnummer of 12 digits")
        headers = {}
        for line in options["header"]:
            name, separator, value = line.partition(":")
            if not separator or not name.strip():
                raise CommandError(f"--header {line!r} is not 'Name: value'")
            headers[name.strip()] = value.strip()
        if not options["url"].startswith(("http://", "https://")):
            raise CommandError("the producer's address starts with http:// or https://")
        failed = 0
        try:
            for finding in conformance.check_producer(
                options["url"], person=person, headers=headers, timeout=options["timeout"]
            ):
                self.stdout.write(str(finding))
                failed += not finding.passed
        except conformance.Unreachable as error:
            raise CommandError(str(error)) from error
        if failed:
            raise CommandError(
                f"{failed} check{'s' if failed != 1 else ''} failed: the producer does not conform"
            )
        self.stdout.write("the producer conforms to Mina ärenden 6.1 on every check")
