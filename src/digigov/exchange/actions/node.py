"""This installation's gateways: the anchor and the last verified configuration, the
gateways' keys and certificates, the local services they front, and the message
log's archives."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError

from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.transactions import action
from digigov.exchange import ca, configuration, log, messages
from digigov.exchange.actions.common import _audit, _identifier
from digigov.exchange.actions.registry import issue_certificate, register_gateway
from digigov.exchange.identifiers import ClientId, MemberId
from digigov.exchange.models import (
    Anchor,
    Certificate,
    GatewayKey,
    KnownSigningCertificate,
    LocalClient,
    LocalGateway,
    LocalService,
    LogArchive,
    Member,
    VerifiedConfiguration,
    WitnessedCheckpoint,
)


@action
def install_anchor(
    *, actor: Actor, instance: str, certificate_pem: str, source: str = ""
) -> Anchor:
    try:
        ca.load_certificate(certificate_pem)
    except ValueError as error:
        raise ValidationError("the anchor is not a PEM certificate", code="anchor") from error
    anchor, _created = Anchor.objects.update_or_create(
        instance=instance,
        defaults={
            "certificate_pem": certificate_pem,
            "source": source,
            "installed_at": clock.now(),
        },
    )
    _audit(
        actor,
        "anchor_installed",
        instance,
        fingerprint=ca.fingerprint(ca.load_certificate(certificate_pem)),
    )
    return anchor


@action
def accept_configuration(*, actor: Actor, signed: str) -> configuration.GlobalConf:
    """Keep a configuration if the anchor vouches for it and it is not older than ours."""
    anchors = list(Anchor.objects.all())
    if not anchors:
        raise configuration.ConfigurationError(
            "no configuration anchor is installed", "MissingAnchor"
        )
    problems = []
    for anchor in anchors:
        try:
            conf = configuration.verify(
                signed,
                anchor_instance=anchor.instance,
                anchor_certificate_pem=anchor.certificate_pem,
            )
        except configuration.ConfigurationError as error:
            problems.append(str(error))
            continue
        if conf.expired(clock.now()):
            raise configuration.ConfigurationError(
                f"the global configuration v{conf.version} expired at {conf.expires_at.isoformat()}",
                "OutdatedGlobalConf",
            )
        current = (
            VerifiedConfiguration.objects.select_for_update().filter(instance=conf.instance).first()
        )
        if current is not None and current.version > conf.version:
            raise configuration.ConfigurationError(
                f"configuration v{conf.version} is older than v{current.version}, which is in use",
                "OlderGlobalConf",
            )
        VerifiedConfiguration.objects.update_or_create(
            instance=conf.instance,
            defaults={
                "version": conf.version,
                "expires_at": conf.expires_at,
                "signed": signed,
                "verified_at": clock.now(),
            },
        )
        _remember_signing_certificates(conf)
        if current is None or current.version != conf.version:
            _audit(actor, "configuration_accepted", f"v{conf.version}", instance=conf.instance)
        return conf
    raise configuration.ConfigurationError("; ".join(problems))


def _remember_signing_certificates(conf: configuration.GlobalConf) -> None:
    """Keep every signing certificate the configuration lists (exchange.log verifies old
    messages' signatures with them after they leave the configuration)."""
    now = clock.now()
    for member in conf.document["members"]:
        for entry in member["signing_certificates"]:
            KnownSigningCertificate.objects.get_or_create(
                fingerprint=entry["fingerprint"],
                defaults={
                    "member_id": member["id"],
                    "certificate_pem": entry["pem"],
                    "first_seen_at": now,
                },
            )


@action
def witness_checkpoint(
    *, client: str, document: dict[str, Any], message_id: str
) -> WitnessedCheckpoint:
    """Keep a checkpoint another member's installation sent (core.anchors): a record of
    what it was sent, not a change of ours, so no audit row of its own (the gateways'
    message logs hold the signed message)."""
    try:
        if "\\u0000" in json.dumps(document):  # JSON writes NUL so, even unescaped
            raise ValueError("no NUL characters")
        # no lone surrogates (UnicodeEncodeError is a ValueError)
        json.dumps(document, ensure_ascii=False).encode("utf-8")
        made_at = dt.datetime.fromisoformat(str(document["made_at"]))
        heads = document["heads"]
        if made_at.tzinfo is None or not isinstance(heads, dict):
            raise ValueError("made_at with a time zone, and heads")
        for log, pair in heads.items():
            if not (isinstance(log, str) and isinstance(pair, list) and len(pair) == 2):
                raise ValueError(f"heads: {log!r} is not [sequence, hash]")
            if not (isinstance(pair[0], int) and isinstance(pair[1], str) and len(pair[1]) == 64):
                raise ValueError(f"heads: {log!r} is not [sequence, hash]")
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(f"not a checkpoint: {error}", code="checkpoint") from error
    kept: dict[str, Any] = {"made_at": made_at.isoformat(), "heads": heads}
    timestamp = document.get("timestamp")
    if timestamp is not None:
        if not isinstance(timestamp, str) or len(timestamp) > 16_384:
            raise ValidationError(
                "not a checkpoint: timestamp is a base64 token", code="checkpoint"
            )
        kept["timestamp"] = timestamp
    return WitnessedCheckpoint.objects.create(
        client=client[:300],
        made_at=made_at,
        document=kept,
        message_id=message_id[:100],
        received_at=clock.now(),
    )


@action
def create_gateway_key(
    *, actor: Actor, member_id: str, gateway_code: str, purpose: str
) -> GatewayKey:
    """A new private key for a gateway; its public key goes to the registry's CA."""
    key = ca.new_key()
    made = GatewayKey.objects.create(
        member_id=member_id,
        gateway_code=gateway_code,
        purpose=purpose,
        private_key_pem=ca.key_pem(key),
        created_at=clock.now(),
    )
    _audit(
        actor, "gateway_key_created", f"{member_id}/{gateway_code}", purpose=purpose, key=made.pk
    )
    return made


def public_key_pem(gateway_key: GatewayKey) -> str:
    return (
        ca.load_key(gateway_key.private_key_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@action
def install_certificate(
    *, actor: Actor, gateway_key: GatewayKey, certificate_pem: str
) -> GatewayKey:
    certificate = ca.load_certificate(certificate_pem)
    if not ca.certifies(certificate, gateway_key.private_key_pem):
        raise ValidationError("the certificate is not for this key", code="certificate")
    gateway_key.certificate_pem = certificate_pem
    gateway_key.fingerprint = ca.fingerprint(certificate)
    gateway_key.active_from = clock.now()
    gateway_key.save(update_fields=["certificate_pem", "fingerprint", "active_from"])
    _audit(
        actor, "gateway_certificate_installed", gateway_key.fingerprint, purpose=gateway_key.purpose
    )
    return gateway_key


@action
def retire_gateway_key(*, actor: Actor, gateway_key: GatewayKey) -> None:
    gateway_key.retired_at = clock.now()
    gateway_key.save(update_fields=["retired_at"])
    _audit(actor, "gateway_key_retired", gateway_key.fingerprint, purpose=gateway_key.purpose)


@action
def save_local_service(
    *, actor: Actor, provider: ClientId, code: str, base_url: str, openapi: str = ""
) -> LocalService:
    if not base_url.startswith(("http://", "https://")):
        raise ValidationError("a service's base URL is http(s)://…", code="base_url")
    existing = LocalService.objects.filter(
        member_id=str(provider.member), subsystem=provider.subsystem, code=code
    ).first()
    service, _created = LocalService.objects.update_or_create(
        member_id=str(provider.member),
        subsystem=provider.subsystem,
        code=code,
        defaults={
            "base_url": base_url.rstrip("/"),
            "openapi": openapi,
            "token": existing.token if existing and existing.token else secrets.token_urlsafe(32),
        },
    )
    _audit(actor, "local_service_saved", f"{provider}/{code}", base_url=base_url)
    return service


@action
def run_gateway_here(
    *, actor: Actor, member: Member, code: str, host: str, client_port: int, server_port: int
) -> LocalGateway:
    """Where the registry and a member's gateway are one installation (the embedded
    demo, tests): register the gateway, make its keys and have the CA certify them.
    Another installation does the same in steps with `digigov exchange` commands."""
    gateway = register_gateway(
        actor=actor, member=member, code=code, address=f"https://{host}:{server_port}"
    )
    for purpose in (Certificate.Purpose.SIGN, Certificate.Purpose.TLS):
        key = create_gateway_key(
            actor=actor, member_id=str(member), gateway_code=code, purpose=purpose
        )
        issued = issue_certificate(
            actor=actor,
            member=member,
            purpose=purpose,
            public_key_pem=public_key_pem(key),
            gateway=gateway if purpose == Certificate.Purpose.TLS else None,
            hosts=[host],
        )
        install_certificate(actor=actor, gateway_key=key, certificate_pem=issued.pem)
    return save_local_gateway(
        actor=actor,
        member_id=str(member),
        code=code,
        host=host,
        client_port=client_port,
        server_port=server_port,
    )


@action
def save_local_gateway(
    *,
    actor: Actor,
    member_id: str,
    code: str,
    host: str,
    client_port: int,
    server_port: int,
    client_tls_port: int = 0,
) -> LocalGateway:
    """Run a member's gateway on this installation, at these ports (`digigov gateway`
    starts every one saved); the client side also over TLS at `client_tls_port` when it
    is not 0. Idempotent."""
    member = _identifier(MemberId.parse, member_id)
    ports = {"client_port": client_port, "server_port": server_port}
    if client_tls_port:
        ports["client_tls_port"] = client_tls_port
    for name, port in ports.items():
        if not 1 <= port <= 65535:
            raise ValidationError({name: f"{port} is not a port"}, code="port")
    if len(set(ports.values())) != len(ports):
        raise ValidationError("each side needs a port of its own", code="port")
    ports.setdefault("client_tls_port", 0)
    local, created = LocalGateway.objects.update_or_create(
        member_id=str(member), code=code, defaults={"host": host, **ports}
    )
    _audit(
        actor,
        "local_gateway_saved",
        f"{member}/{code}",
        host=host,
        created=created,
        **ports,
    )
    return local


@action
def save_local_client(
    *, actor: Actor, client: ClientId, connection: str, certificates: list[str] | None = None
) -> LocalClient:
    """How a subsystem of a member whose gateway runs here may connect to its client side
    (LocalClient.Connection); `https-auth` needs at least one certificate (PEM), which
    replace those it had. Idempotent."""
    if connection not in LocalClient.Connection.values:
        raise ValidationError(
            f"connection must be one of {', '.join(LocalClient.Connection.values)}",
            code="connection",
        )
    pems = []
    for pem in certificates or []:
        try:
            parsed = x509.load_pem_x509_certificate(pem.encode())
        except ValueError as error:
            raise ValidationError("not a PEM certificate", code="certificate") from error
        pems.append(parsed.public_bytes(serialization.Encoding.PEM).decode())
    if connection == LocalClient.Connection.HTTPS_AUTH and not pems:
        raise ValidationError("https-auth needs the subsystem's certificate", code="certificate")
    local, created = LocalClient.objects.update_or_create(
        member_id=str(client.member),
        subsystem=client.subsystem or "",
        defaults={"connection": connection, "certificates": sorted(set(pems))},
    )
    _audit(
        actor,
        "local_client_saved",
        str(client),
        connection=connection,
        certificates=[
            ca.fingerprint(x509.load_pem_x509_certificate(pem.encode()))
            for pem in local.certificates
        ],
        created=created,
    )
    return local


def archive_log(
    *, actor: Actor, gateway: str, before: dt.datetime, folder: Path
) -> LogArchive | None:
    """Export a gateway's entries logged before `before` to a file signed by its member,
    and remove them here; the chain verifies on from the archive."""
    member_id, _, _code = gateway.rpartition("/")
    key = (
        GatewayKey.objects.filter(member_id=member_id, purpose="sign", retired_at__isnull=True)
        .exclude(certificate_pem="")
        .order_by("-active_from")
        .first()
    )
    if key is None:
        raise ValidationError(
            f"{member_id} has no signing key here to sign the archive with", code="no_key"
        )
    signer = messages.Signer.of(member_id, key.private_key_pem, key.certificate_pem)
    try:
        made = log.archive(gateway, before, folder, signer.sign)
    except ValueError as error:
        raise ValidationError(str(error), code="order") from error
    if made is not None:
        _audit(
            actor,
            "log_archived",
            gateway,
            first=made.first_sequence,
            last=made.last_sequence,
            sha256=made.sha256,
            file=made.file_name,
        )
    return made
