"""The federation registry, its CA and the signed global configuration."""

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError

from digigov.core.actors import Actor
from digigov.core.models import AuditEntry
from digigov.exchange import actions, ca, configuration
from digigov.exchange.identifiers import BadIdentifier, ClientId, ServiceId
from digigov.exchange.models import Certificate

pytestmark = pytest.mark.django_db
OPERATOR = Actor.system("tests")


@pytest.fixture
def registry():
    return actions.init_registry(actor=OPERATOR, instance="SE-TEST")


@pytest.fixture
def federation(registry):
    """A municipality that asks and a register agency that provides."""
    kommun = actions.save_member(
        actor=OPERATOR, member_class="MUN", member_code="2120009994", name="Exempelby kommun"
    )
    verket = actions.save_member(
        actor=OPERATOR, member_class="GOV", member_code="2021009978", name="Registerverket"
    )
    asker = actions.add_subsystem(actor=OPERATOR, member=kommun, code="arenden")
    provider = actions.add_subsystem(actor=OPERATOR, member=verket, code="register")
    service = actions.register_service(
        actor=OPERATOR, subsystem=provider, code="folkbokforing", openapi="openapi: 3.0.0"
    )
    actions.grant_access(
        actor=OPERATOR, service=service, client=asker, method="GET", path="/personer"
    )
    gateway = actions.register_gateway(
        actor=OPERATOR, member=verket, code="gw1", address="https://127.0.0.1:5501"
    )
    key = actions.create_gateway_key(
        actor=OPERATOR, member_id=str(verket), gateway_code="gw1", purpose="tls"
    )
    tls = actions.issue_certificate(
        actor=OPERATOR,
        member=verket,
        purpose="tls",
        public_key_pem=actions.public_key_pem(key),
        gateway=gateway,
        hosts=["127.0.0.1"],
    )
    signing_key = actions.create_gateway_key(
        actor=OPERATOR, member_id=str(verket), gateway_code="gw1", purpose="sign"
    )
    signing = actions.issue_certificate(
        actor=OPERATOR,
        member=verket,
        purpose="sign",
        public_key_pem=actions.public_key_pem(signing_key),
    )
    return {
        "kommun": kommun,
        "verket": verket,
        "service": service,
        "tls": tls,
        "signing": signing,
        "asker": asker,
    }


def anchored(registry):
    actions.install_anchor(
        actor=OPERATOR,
        instance=registry.instance,
        certificate_pem=registry.configuration_certificate_pem,
    )


def test_a_published_configuration_verifies_against_the_anchor(registry, federation):
    published = actions.publish_configuration(actor=OPERATOR)
    anchored(registry)
    conf = actions.accept_configuration(actor=OPERATOR, signed=published.signed)
    assert conf.version == 1 and conf.instance == "SE-TEST"
    assert conf.member_name("SE-TEST/GOV/2021009978") == "Registerverket"
    assert conf.gateway_address("SE-TEST/GOV/2021009978") == "https://127.0.0.1:5501"
    assert conf.gateway_tls_fingerprints == {
        federation["tls"].fingerprint: "SE-TEST/GOV/2021009978"
    }
    assert (
        conf.signing_certificate("SE-TEST/GOV/2021009978", federation["signing"].fingerprint)
        is not None
    )
    assert "SE-TEST/GOV/2021009978/register/folkbokforing" in conf.services
    assert ClientId.parse("SE-TEST/MUN/2120009994/arenden") in conf.clients()
    assert AuditEntry.objects.filter(action="exchange.configuration_published").exists()


def test_access_is_denied_unless_granted_by_method_and_path(registry, federation):
    conf = configuration.verify(
        actions.publish_configuration(actor=OPERATOR).signed,
        anchor_instance="SE-TEST",
        anchor_certificate_pem=registry.configuration_certificate_pem,
    )
    asker = ClientId.parse("SE-TEST/MUN/2120009994/arenden")
    stranger = ClientId.parse("SE-TEST/GOV/2021009978/register")
    service = ServiceId(ClientId.parse("SE-TEST/GOV/2021009978/register"), "folkbokforing")
    assert conf.allowed(asker, service, "GET", "/personer")
    assert conf.allowed(asker, service, "GET", "/personer/199003152387")
    assert not conf.allowed(asker, service, "GET", "/personerX")
    assert not conf.allowed(asker, service, "POST", "/personer")
    assert not conf.allowed(stranger, service, "GET", "/personer")
    assert conf.allowed_services(asker, service.client) == ["folkbokforing"]


def test_a_revoked_certificate_is_listed_as_revoked_and_no_longer_offered(registry, federation):
    actions.revoke_certificate(actor=OPERATOR, fingerprint=federation["signing"].fingerprint)
    actions.revoke_certificate(actor=OPERATOR, fingerprint=federation["tls"].fingerprint)
    conf = configuration.verify(
        actions.publish_configuration(actor=OPERATOR).signed,
        anchor_instance="SE-TEST",
        anchor_certificate_pem=registry.configuration_certificate_pem,
    )
    assert federation["tls"].fingerprint in conf.revoked
    assert conf.gateway_tls_fingerprints == {}
    assert (
        conf.signing_certificate("SE-TEST/GOV/2021009978", federation["signing"].fingerprint)
        is None
    )


def test_a_tampered_configuration_is_refused(registry, federation):
    signed = actions.publish_configuration(actor=OPERATOR).signed
    header, payload, signature = signed.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["access_rights"].append({"service": "x", "client": "y", "method": "", "path": ""})
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(configuration.ConfigurationError) as error:
        configuration.verify(
            f"{header}.{forged}.{signature}",
            anchor_instance="SE-TEST",
            anchor_certificate_pem=registry.configuration_certificate_pem,
        )
    assert "signature" in str(error.value)


def test_another_anchor_or_instance_is_refused(registry, federation):
    signed = actions.publish_configuration(actor=OPERATOR).signed
    stranger = ca.new_authority("SE-OTHER", dt.datetime.now(dt.UTC))
    with pytest.raises(configuration.ConfigurationError):
        configuration.verify(
            signed,
            anchor_instance="SE-TEST",
            anchor_certificate_pem=ca.certificate_pem(stranger.certificate),
        )
    with pytest.raises(configuration.ConfigurationError) as error:
        configuration.verify(
            signed,
            anchor_instance="SE-OTHER",
            anchor_certificate_pem=registry.configuration_certificate_pem,
        )
    assert "SE-OTHER" in str(error.value)


def test_an_expired_or_older_configuration_is_refused(registry, federation, travel):
    anchored(registry)
    first = actions.publish_configuration(actor=OPERATOR)
    second = actions.publish_configuration(actor=OPERATOR)
    actions.accept_configuration(actor=OPERATOR, signed=second.signed)
    with pytest.raises(configuration.ConfigurationError) as older:
        actions.accept_configuration(actor=OPERATOR, signed=first.signed)
    assert older.value.code == "OlderGlobalConf"
    travel.forward(hours=25)
    with pytest.raises(configuration.ConfigurationError) as expired:
        actions.accept_configuration(actor=OPERATOR, signed=second.signed)
    assert expired.value.code == "OutdatedGlobalConf"


def test_a_configuration_without_an_anchor_is_refused(registry):
    signed = actions.publish_configuration(actor=OPERATOR).signed
    with pytest.raises(configuration.ConfigurationError) as error:
        actions.accept_configuration(actor=OPERATOR, signed=signed)
    assert error.value.code == "MissingAnchor"


def test_certificates_are_issued_by_the_ca_for_their_purpose(registry, federation):
    authority = ca.load_certificate(registry.ca_certificate_pem)
    tls = ca.load_certificate(federation["tls"].pem)
    assert tls.issuer == authority.subject
    authority.public_key().verify(
        tls.signature,
        tls.tbs_certificate_bytes,
        ec.ECDSA(tls.signature_hash_algorithm),
    )  # raises InvalidSignature unless the CA signed it
    assert Certificate.objects.filter(purpose="tls").count() == 1


def test_bad_registry_input_is_refused_with_a_reason(registry, federation):
    with pytest.raises(ValidationError):
        actions.save_member(actor=OPERATOR, member_class="XYZ", member_code="1", name="Fel")
    with pytest.raises(ValidationError):
        actions.save_member(
            actor=OPERATOR, member_class="GOV", member_code="a/b", name="Snedstreck"
        )
    with pytest.raises(ValidationError):
        actions.register_gateway(
            actor=OPERATOR, member=federation["kommun"], code="gw", address="http://x"
        )
    with pytest.raises(ValidationError):
        actions.grant_access(
            actor=OPERATOR, service=federation["service"], client=federation["asker"], method="FLY"
        )
    with pytest.raises(ValidationError):
        actions.init_registry(actor=OPERATOR, instance="SE-TEST")
    with pytest.raises(ValidationError):
        actions.revoke_certificate(actor=OPERATOR, fingerprint="0" * 64)


@pytest.mark.parametrize("text", ["SE/GOV", "SE/GOV/1/a/b", "SE/GOV/1/sub system", "SE/GOV/1/", ""])
def test_client_identifiers_are_checked(text):
    with pytest.raises(BadIdentifier):
        ClientId.parse(text)


def test_a_member_may_be_a_client_but_a_service_belongs_to_a_subsystem():
    member = ClientId.parse("SE-TEST/GOV/2021009978")
    assert (member.subsystem, str(member)) == ("", "SE-TEST/GOV/2021009978")
    with pytest.raises(BadIdentifier):
        ServiceId(member, "folkbokforing")
    with pytest.raises(BadIdentifier):
        ServiceId.parse("SE-TEST/GOV/2021009978/folkbokforing")


def test_service_paths_are_percent_encoded_part_by_part():
    service = ServiceId(ClientId.parse("SE-TEST/GOV/2021009978/register"), "folkbok(v2)")
    assert service.path() == "SE-TEST/GOV/2021009978/register/folkbok%28v2%29"


def test_the_registry_re_signs_the_configuration_at_half_life(registry, travel):
    first = actions.publish_if_due(actor=OPERATOR)
    assert first is not None and first.version == 1  # none yet: publish
    assert actions.publish_if_due(actor=OPERATOR) is None  # fresh
    travel.forward(hours=13)  # past half of 24 hours
    again = actions.publish_if_due(actor=OPERATOR)
    assert again is not None and again.version == 2
    assert again.expires_at > first.expires_at
