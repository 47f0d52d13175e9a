"""digigov exchange: the federation registry, this installation's gateways, and the message log.

Registry (the installation that runs the federation):
  init --instance SE-DEMO
  member save --class MUN --code 2120009994 --name "Exempelby kommun" [--organisation exempelby]
  subsystem add MEMBER CODE
  service register SUBSYSTEM CODE [--openapi FILE] [--description TEXT]
  access grant|revoke SERVICE CLIENT [--method GET] [--path /prefix]
  gateway register MEMBER CODE https://host:port
  certificate issue MEMBER --purpose sign|tls --public-key FILE [--gateway CODE] [--host H]
  certificate revoke FINGERPRINT
  publish [--out FILE]
  anchor export

Gateway (every installation with a gateway):
  anchor install --instance SE-DEMO --certificate FILE [--source URL]
  configuration load FILE
  key create MEMBER GATEWAY --purpose sign|tls       (prints the public key for the CA)
  key install KEY_ID CERTIFICATE_FILE
  key retire KEY_ID
  local-gateway save MEMBER CODE --client-port P --server-port P [--client-tls-port P] [--host H]
  local-service save SUBSYSTEM CODE URL [--openapi FILE]
  local-client save CLIENT --connection http|https|https-auth [--certificate FILE ...]
  here MEMBER CODE --client-port P --server-port P    (registry and gateway in one installation)
  verify-log [--gateway MEMBER/CODE] [--archive FILE]
  archive-log --gateway MEMBER/CODE --before DATE --out FOLDER   (signed archive, removed here)
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from digigov.core import queries as core_queries
from digigov.core.actors import Actor
from digigov.exchange import actions, configuration, log
from digigov.exchange import queries as exchange_queries
from digigov.exchange.identifiers import BadIdentifier, ClientId
from digigov.exchange.models import (
    GatewayKey,
    Registry,
    Service,
)

ACTOR = Actor.system("command")


def _read(path: str | None) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error


class Command(BaseCommand):
    help = __doc__ or ""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        top = parser.add_subparsers(dest="area", required=True)
        init = top.add_parser("init")
        init.add_argument("--instance", required=True)
        init.add_argument("--validity-hours", type=int, default=24)

        member = top.add_parser("member").add_subparsers(dest="operation", required=True)
        save = member.add_parser("save")
        save.add_argument("--class", dest="member_class", required=True)
        save.add_argument("--code", required=True)
        save.add_argument("--name", required=True)
        save.add_argument("--organisation", help="the organisation's slug on this installation")

        subsystem = top.add_parser("subsystem").add_subparsers(dest="operation", required=True)
        add = subsystem.add_parser("add")
        add.add_argument("member")
        add.add_argument("code")

        service = top.add_parser("service").add_subparsers(dest="operation", required=True)
        register = service.add_parser("register")
        register.add_argument("subsystem")
        register.add_argument("code")
        register.add_argument("--openapi")
        register.add_argument("--description", default="")

        access = top.add_parser("access").add_subparsers(dest="operation", required=True)
        for name in ("grant", "revoke"):
            change = access.add_parser(name)
            change.add_argument("service", help="instance/class/code/subsystem/service")
            change.add_argument("client", help="instance/class/code/subsystem")
            change.add_argument("--method", default="")
            change.add_argument("--path", default="")

        gateway = top.add_parser("gateway").add_subparsers(dest="operation", required=True)
        gateway_register = gateway.add_parser("register")
        gateway_register.add_argument("member")
        gateway_register.add_argument("code")
        gateway_register.add_argument("address")

        certificate = top.add_parser("certificate").add_subparsers(dest="operation", required=True)
        issue = certificate.add_parser("issue")
        issue.add_argument("member")
        issue.add_argument("--purpose", choices=["sign", "tls"], required=True)
        issue.add_argument("--public-key", required=True)
        issue.add_argument("--gateway")
        issue.add_argument("--host", action="append", default=[])
        revoke = certificate.add_parser("revoke")
        revoke.add_argument("fingerprint")

        publish = top.add_parser("publish")
        publish.add_argument("--out")

        anchor = top.add_parser("anchor").add_subparsers(dest="operation", required=True)
        anchor.add_parser("export")
        install = anchor.add_parser("install")
        install.add_argument("--instance", required=True)
        install.add_argument("--certificate", required=True)
        install.add_argument("--source", default="")

        conf = top.add_parser("configuration").add_subparsers(dest="operation", required=True)
        load = conf.add_parser("load")
        load.add_argument("file")

        key = top.add_parser("key").add_subparsers(dest="operation", required=True)
        create = key.add_parser("create")
        create.add_argument("member")
        create.add_argument("gateway")
        create.add_argument("--purpose", choices=["sign", "tls"], required=True)
        key_install = key.add_parser("install")
        key_install.add_argument("certificate", help="the certificate the registry's CA issued")
        key_install.add_argument(
            "--key", type=int, dest="key_id", help="the key (default: the one it certifies)"
        )
        retire = key.add_parser("retire")
        retire.add_argument("key_id", type=int)

        local_gateway = top.add_parser("local-gateway").add_subparsers(
            dest="operation", required=True
        )
        local_save = local_gateway.add_parser("save")
        for target in (local_save,):
            target.add_argument("member")
            target.add_argument("code")
            target.add_argument("--client-port", type=int, required=True)
            target.add_argument("--server-port", type=int, required=True)
            target.add_argument("--client-tls-port", type=int, default=0)
            target.add_argument("--host", default="127.0.0.1")

        local_client = top.add_parser("local-client").add_subparsers(
            dest="operation", required=True
        )
        client_save = local_client.add_parser("save")
        client_save.add_argument("client", help="MEMBER or MEMBER/SUBSYSTEM")
        client_save.add_argument(
            "--connection", required=True, choices=["http", "https", "https-auth"]
        )
        client_save.add_argument(
            "--certificate", action="append", default=[], help="PEM file (repeatable)"
        )

        local_service = top.add_parser("local-service").add_subparsers(
            dest="operation", required=True
        )
        service_save = local_service.add_parser("save")
        service_save.add_argument("subsystem")
        service_save.add_argument("code")
        service_save.add_argument("url")
        service_save.add_argument("--openapi")

        here = top.add_parser("here")
        here.add_argument("member")
        here.add_argument("code")
        here.add_argument("--client-port", type=int, required=True)
        here.add_argument("--server-port", type=int, required=True)
        here.add_argument("--host", default="127.0.0.1")

        verify = top.add_parser("verify-log")
        verify.add_argument("--gateway")
        verify.add_argument("--archive", help="check an archive file instead")

        archive = top.add_parser("archive-log")
        archive.add_argument(
            "--gateway", required=True, help="member/gateway, e.g. SE-DEMO/MUN/2120009994/gw1"
        )
        archive.add_argument("--before", required=True, help="an ISO date or time")
        archive.add_argument("--out", required=True, help="the folder for the archive files")

    def handle(self, *args: Any, **options: Any) -> None:
        area, operation = options["area"], options.get("operation")
        handler = getattr(self, f"_{area.replace('-', '_')}")
        try:
            handler(operation, options)
        except (ValidationError, configuration.ConfigurationError, BadIdentifier) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from error

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    def _init(self, _operation: str | None, options: dict[str, Any]) -> None:
        registry = actions.init_registry(
            actor=ACTOR, instance=options["instance"], validity_hours=options["validity_hours"]
        )
        self._say(
            f"registry for {registry.instance}; export the anchor with `digigov exchange anchor export`"
        )

    def _member(self, _operation: str | None, options: dict[str, Any]) -> None:
        organisation = None
        if options["organisation"]:
            organisation = core_queries.organisation_by_slug(options["organisation"])
            if organisation is None:
                raise CommandError(f"no organisation is called {options['organisation']!r}")
        member = actions.save_member(
            actor=ACTOR,
            member_class=options["member_class"],
            member_code=options["code"],
            name=options["name"],
            organisation=organisation,
        )
        self._say(f"member {member}")

    def _subsystem(self, _operation: str | None, options: dict[str, Any]) -> None:
        subsystem = actions.add_subsystem(
            actor=ACTOR, member=actions.member_by_id(options["member"]), code=options["code"]
        )
        self._say(f"subsystem {subsystem}")

    def _service(self, _operation: str | None, options: dict[str, Any]) -> None:
        service = actions.register_service(
            actor=ACTOR,
            subsystem=actions.subsystem_by_id(options["subsystem"]),
            code=options["code"],
            openapi=_read(options["openapi"]),
            description=options["description"],
        )
        self._say(f"service {service}")

    def _service_by_id(self, text: str) -> Service:
        provider, _, code = text.rpartition("/")
        found = Service.objects.filter(
            subsystem=actions.subsystem_by_id(provider), code=code
        ).first()
        if found is None:
            raise CommandError(f"no service {text}")
        return found

    def _access(self, operation: str | None, options: dict[str, Any]) -> None:
        service = self._service_by_id(options["service"])
        client = actions.subsystem_by_id(options["client"])
        if operation == "grant":
            right = actions.grant_access(
                actor=ACTOR,
                service=service,
                client=client,
                method=options["method"],
                path=options["path"],
            )
            self._say(f"granted: {right}")
        else:
            count = actions.revoke_access(actor=ACTOR, service=service, client=client)
            self._say(f"revoked {count} access right(s); publish to make it take effect")

    def _gateway(self, _operation: str | None, options: dict[str, Any]) -> None:
        gateway = actions.register_gateway(
            actor=ACTOR,
            member=actions.member_by_id(options["member"]),
            code=options["code"],
            address=options["address"],
        )
        self._say(f"gateway {gateway} at {gateway.address}")

    def _certificate(self, operation: str | None, options: dict[str, Any]) -> None:
        if operation == "revoke":
            revoked = actions.revoke_certificate(actor=ACTOR, fingerprint=options["fingerprint"])
            self._say(f"revoked {revoked.fingerprint}; publish to make it take effect")
            return
        member = actions.member_by_id(options["member"])
        gateway = (
            member.gateways.filter(code=options["gateway"]).first() if options["gateway"] else None
        )
        if options["gateway"] and gateway is None:
            raise CommandError(f"{member} has no gateway {options['gateway']!r}")
        issued = actions.issue_certificate(
            actor=ACTOR,
            member=member,
            purpose=options["purpose"],
            public_key_pem=_read(options["public_key"]),
            gateway=gateway,
            hosts=options["host"] or None,
        )
        self.stdout.write(issued.pem, ending="")

    def _publish(self, _operation: str | None, options: dict[str, Any]) -> None:
        published = actions.publish_configuration(actor=ACTOR)
        if options["out"]:
            Path(options["out"]).write_text(published.signed)
        self._say(f"published v{published.version}, valid until {published.expires_at.isoformat()}")

    def _anchor(self, operation: str | None, options: dict[str, Any]) -> None:
        if operation == "export":
            registry = Registry.objects.first()
            if registry is None:
                raise CommandError("this installation is not a registry")
            self._say(f"# instance {registry.instance}")
            self.stdout.write(registry.configuration_certificate_pem, ending="")
            return
        anchor = actions.install_anchor(
            actor=ACTOR,
            instance=options["instance"],
            certificate_pem=_read(options["certificate"]),
            source=options["source"],
        )
        self._say(f"anchor for {anchor.instance} installed")

    def _configuration(self, _operation: str | None, options: dict[str, Any]) -> None:
        conf = actions.accept_configuration(actor=ACTOR, signed=_read(options["file"]).strip())
        self._say(
            f"configuration v{conf.version} accepted, valid until {conf.expires_at.isoformat()}"
        )

    def _key(self, operation: str | None, options: dict[str, Any]) -> None:
        if operation == "create":
            key = actions.create_gateway_key(
                actor=ACTOR,
                member_id=options["member"],
                gateway_code=options["gateway"],
                purpose=options["purpose"],
            )
            self._say(f"# key {key.pk}: have the registry's CA certify this public key")
            self.stdout.write(actions.public_key_pem(key), ending="")
            return
        if operation == "install" and options["key_id"] is None:
            found = exchange_queries.key_certified_by(_read(options["certificate"]))
            if found is None:
                raise CommandError("no key of this installation's is certified by that certificate")
        else:
            found = GatewayKey.objects.filter(pk=options["key_id"]).first()
            if found is None:
                raise CommandError(f"no key {options['key_id']}")
        if operation == "install":
            actions.install_certificate(
                actor=ACTOR, gateway_key=found, certificate_pem=_read(options["certificate"])
            )
            self._say(f"certificate installed for key {found.pk} ({found.fingerprint})")
        else:
            actions.retire_gateway_key(actor=ACTOR, gateway_key=found)
            self._say(f"key {found.pk} retired")

    def _local_gateway(self, _operation: str | None, options: dict[str, Any]) -> None:
        local = actions.save_local_gateway(
            actor=ACTOR,
            member_id=options["member"],
            code=options["code"],
            host=options["host"],
            client_port=options["client_port"],
            server_port=options["server_port"],
            client_tls_port=options["client_tls_port"],
        )
        self._say(f"local gateway {local}")

    def _local_client(self, _operation: str | None, options: dict[str, Any]) -> None:
        local = actions.save_local_client(
            actor=ACTOR,
            client=ClientId.parse(options["client"]),
            connection=options["connection"],
            certificates=[_read(path) for path in options["certificate"]],
        )
        self._say(f"{local.member_id}/{local.subsystem} connects with {local.connection}")

    def _local_service(self, _operation: str | None, options: dict[str, Any]) -> None:
        service = actions.save_local_service(
            actor=ACTOR,
            provider=ClientId.subsystem_of(options["subsystem"]),
            code=options["code"],
            base_url=options["url"],
            openapi=_read(options["openapi"]),
        )
        self._say(f"local service {service}")

    def _here(self, _operation: str | None, options: dict[str, Any]) -> None:
        local = actions.run_gateway_here(
            actor=ACTOR,
            member=actions.member_by_id(options["member"]),
            code=options["code"],
            host=options["host"],
            client_port=options["client_port"],
            server_port=options["server_port"],
        )
        self._say(f"gateway {local} with certified keys; publish, then run `digigov gateway`")

    def _archive_log(self, _operation: str | None, options: dict[str, Any]) -> None:
        try:
            before = dt.datetime.fromisoformat(options["before"])
        except ValueError as error:
            raise CommandError(
                f"--before {options['before']!r} is not an ISO date or time"
            ) from error
        if before.tzinfo is None:
            before = before.replace(tzinfo=dt.UTC)
        made = actions.archive_log(
            actor=ACTOR, gateway=options["gateway"], before=before, folder=Path(options["out"])
        )
        if made is None:
            self._say("nothing to archive")
        else:
            self._say(
                f"archived #{made.first_sequence}-#{made.last_sequence} ({made.entries} entries) to {made.file_name}"
            )

    def _verify_log(self, _operation: str | None, options: dict[str, Any]) -> None:
        if options["archive"]:
            archive_problems = log.verify_archive(Path(options["archive"]))
            for archive_problem in archive_problems:
                self.stderr.write(archive_problem)
            if archive_problems:
                raise CommandError(f"{len(archive_problems)} problem(s) in the archive")
            self._say(f"{options['archive']} verifies and is where the log says it is")
            return
        checked, problems = log.verify(options["gateway"])
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {checked} log entries")
        self._say(f"{checked} log entries verified, the chains are whole")
