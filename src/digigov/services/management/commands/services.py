"""digigov services install|test|list: install and check service packages."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from digigov.core import queries as core_queries
from digigov.core.actors import Actor
from digigov.services import actions, package, package_tests, queries


class Command(BaseCommand):
    help = "Install, test and list service packages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        install = commands.add_parser("install", help="install a package folder")
        install.add_argument("path", type=Path)
        install.add_argument("--organisation", required=True, help="the organisation's slug")
        test = commands.add_parser("test", help="run a package's own tests")
        test.add_argument("paths", type=Path, nargs="*", help="package folders (default: built in)")
        commands.add_parser("list", help="list current services")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if operation == "list":
            for service in queries.current_services():
                self.stdout.write(
                    f"{service.organisation.slug}\t{service.code}\t{service.version}\t{service.name_sv}"
                )
        elif operation == "install":
            self._install(options["path"], options["organisation"])
        else:
            self._test(options["paths"] or package.built_in_packages())

    def _load(self, path: Path) -> package.LoadedPackage:
        try:
            return package.load(path)
        except package.PackageError as error:
            raise CommandError(f"the package is not valid:\n{error}") from error

    def _install(self, path: Path, slug: str) -> None:
        organisation = core_queries.organisation_by_slug(slug)
        if organisation is None:
            raise CommandError(f"no organisation is called {slug!r}")
        loaded = self._load(path)
        try:
            installed = actions.install_package(
                actor=Actor.system("operator-command"), organisation=organisation, spec=loaded.spec
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"installed {installed.code} {installed.version} for {organisation.slug}")

    def _test(self, paths: list[Path]) -> None:
        failed = 0
        for path in paths:
            loaded = self._load(path)
            ran, failures = package_tests.run(loaded)
            for failure in failures:
                self.stderr.write(f"{loaded.spec.code}: {failure}")
            failed += len(failures)
            self.stdout.write(
                f"{loaded.spec.code} {loaded.spec.version}: {ran - len(failures)} passed, {len(failures)} failed"
            )
        if failed:
            raise CommandError(f"{failed} package tests failed")
