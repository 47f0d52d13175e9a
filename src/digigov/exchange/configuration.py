"""The global configuration: built from the registry, signed, verified against an anchor.

A configuration is a JSON document signed as a compact JWS (ES256) with the
registry's configuration key. A gateway accepts it only when the signature
verifies with the anchor's certificate, the instance is the anchor's, and it
is not older than the one it has; it uses it until `expires_at`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from digigov.exchange import ca
from digigov.exchange.identifiers import ClientId, ServiceId

FORMAT = 1


class ConfigurationError(Exception):
    """A configuration that must not be used: with the X-Road error code to answer."""

    def __init__(self, message: str, code: str = "InvalidGlobalConf") -> None:
        super().__init__(message)
        self.code = code


def sign(document: dict[str, Any], key_pem: str, certificate_pem: str) -> str:
    key = ECKey.import_key(key_pem)
    header = {
        "alg": "ES256",
        "typ": "digigov-global-conf",
        "x5t#S256": ca.fingerprint(ca.load_certificate(certificate_pem)),
    }
    payload = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key, algorithms=["ES256"])


def verify(signed: str, *, anchor_instance: str, anchor_certificate_pem: str) -> GlobalConf:
    """The configuration, if the anchor vouches for it; ConfigurationError otherwise."""
    certificate = ca.load_certificate(anchor_certificate_pem)
    key = ECKey.import_key(certificate.public_key())  # type: ignore[arg-type]
    try:
        token = jws.deserialize_compact(signed, key, algorithms=["ES256"])
    except (JoseError, ValueError) as error:
        raise ConfigurationError(
            f"the global configuration's signature does not verify: {error}"
        ) from error
    try:
        document = json.loads(token.payload)
    except ValueError as error:
        raise ConfigurationError("the global configuration is not JSON") from error
    if document.get("format") != FORMAT:
        raise ConfigurationError(f"unknown global configuration format {document.get('format')!r}")
    if document.get("instance") != anchor_instance:
        raise ConfigurationError(
            f"the configuration is for {document.get('instance')!r}, the anchor for {anchor_instance!r}"
        )
    return GlobalConf(document, signed)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


@dataclass
class GlobalConf:
    """A verified configuration, with the lookups a gateway makes on every message."""

    document: dict[str, Any]
    signed: str = ""
    _rights: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    @property
    def instance(self) -> str:
        return str(self.document["instance"])

    @property
    def version(self) -> int:
        return int(self.document["version"])

    @cached_property
    def expires_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.document["expires_at"])

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at

    @cached_property
    def revoked(self) -> frozenset[str]:
        return frozenset(self.document.get("revoked", []))

    @cached_property
    def ca_certificates(self) -> list[x509.Certificate]:
        return [ca.load_certificate(pem) for pem in self.document["ca_certificates"]]

    @cached_property
    def _members(self) -> dict[str, dict[str, Any]]:
        return {m["id"]: m for m in self.document["members"]}

    def member_name(self, member_id: str) -> str | None:
        found = self._members.get(member_id)
        return str(found["name"]) if found else None

    @cached_property
    def _signing_certificates(self) -> dict[tuple[str, str], x509.Certificate]:
        return {
            (member["id"], entry["fingerprint"]): ca.load_certificate(entry["pem"])
            for member in self.document["members"]
            for entry in member["signing_certificates"]
            if entry["fingerprint"] not in self.revoked
        }

    def signing_certificate(self, member_id: str, fingerprint: str) -> x509.Certificate | None:
        """The member's signing certificate with this fingerprint, unless revoked."""
        return self._signing_certificates.get((member_id, fingerprint))

    @cached_property
    def verification_keys(self) -> dict[tuple[str, str], ec.EllipticCurvePublicKey]:
        """The signing certificates' public keys, ready for verifying (parsed once)."""
        return {
            key: public
            for key, certificate in self._signing_certificates.items()
            if isinstance(public := certificate.public_key(), ec.EllipticCurvePublicKey)
        }

    @cached_property
    def gateway_tls_fingerprints(self) -> dict[str, str]:
        """Every listed gateway TLS certificate's fingerprint -> the member it belongs to."""
        found: dict[str, str] = {}
        for gateway in self.document["gateways"]:
            for fingerprint in gateway["tls_certificates"]:
                if fingerprint not in self.revoked:
                    found[fingerprint] = gateway["member"]
        return found

    def gateway_address(self, member_id: str) -> str | None:
        for gateway in self.document["gateways"]:
            if gateway["member"] == member_id:
                return str(gateway["address"])
        return None

    @cached_property
    def services(self) -> dict[str, dict[str, Any]]:
        return {s["id"]: s for s in self.document["services"]}

    def clients(self) -> list[ClientId]:
        return list(self._clients)

    @cached_property
    def _clients(self) -> tuple[ClientId, ...]:
        return tuple(
            ClientId.parse(f"{m['id']}/{subsystem}")
            for m in self.document["members"]
            for subsystem in m["subsystems"]
        )

    def has_client(self, client: ClientId) -> bool:
        """A subsystem of the federation, or a member calling as itself."""
        if not client.subsystem:
            return self.member_name(str(client.member)) is not None
        return client in self._client_set

    @cached_property
    def _client_set(self) -> frozenset[ClientId]:
        return frozenset(self._clients)

    def _right_index(self) -> dict[tuple[str, str], list[tuple[str, str]]]:
        if not self._rights:
            for right in self.document["access_rights"]:
                key = (right["service"], right["client"])
                self._rights.setdefault(key, []).append((right["method"], right["path"]))
        return self._rights

    def allowed(self, client: ClientId, service: ServiceId, method: str, path: str) -> bool:
        """Denied unless granted: for the whole service, or a method and a path prefix."""
        for allowed_method, prefix in self._right_index().get((str(service), str(client)), []):
            if allowed_method and allowed_method != method:
                continue
            if prefix and not (path == prefix or path.startswith(prefix.rstrip("/") + "/")):
                continue
            return True
        return False

    def access_of(self, client: ClientId, service: ServiceId) -> list[tuple[str, str]]:
        """The client's rights on the service: (method or "", path prefix or "")."""
        return list(self._right_index().get((str(service), str(client)), []))

    def allowed_services(self, client: ClientId, provider: ClientId) -> list[str]:
        prefix = f"{provider}/"
        return sorted(
            {
                service.removeprefix(prefix)
                for service, asker in self._right_index()
                if asker == str(client) and service.startswith(prefix)
            }
        )


def openapi_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def document(
    *,
    instance: str,
    version: int,
    issued_at: dt.datetime,
    expires_at: dt.datetime,
    ca_certificates: list[str],
    members: list[dict[str, Any]],
    gateways: list[dict[str, Any]],
    services: list[dict[str, Any]],
    access_rights: list[dict[str, Any]],
    revoked: list[str],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "instance": instance,
        "version": version,
        "issued_at": _iso(issued_at),
        "expires_at": _iso(expires_at),
        "ca_certificates": ca_certificates,
        "members": members,
        "gateways": gateways,
        "services": services,
        "access_rights": access_rights,
        "revoked": revoked,
    }
