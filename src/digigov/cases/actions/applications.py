"""Applications, attachments, submission, and opening the case a submission makes.

Each function is one transaction with its audit rows; views and the API call
these and nothing else writes the models.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from digigov.cases import clocks, disclosure, queries, signing, storage
from digigov.cases.actions.telling import tell_applicant
from digigov.cases.models import (
    ApplicantKind,
    Application,
    Attachment,
    Case,
    CaseEvent,
    CoSigner,
    Document,
    RegistrarCounter,
)
from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.identity import loa as levels
from digigov.registers.client import Company, RegisterUnavailable, registers
from digigov.services import answers as answer_rules
from digigov.services import catalogue, prefill
from digigov.services import fields as field_types
from digigov.services.models import ServiceVersion
from digigov.services.spec import FormField, ServicePackageSpec

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _error(message: StrOrPromise, code: str, **params: object) -> ValidationError:
    """A refusal; its message is translated where it is shown (the API gives it in English and
    Swedish), so it is lazy and its values are params, never formatted in here."""
    return ValidationError(message, code=code, params=params or None)


def _spec(application: Application) -> ServicePackageSpec:
    return catalogue.spec_of(application.service_version)


# -- starting and saving ----------------------------------------------------


def start_application(
    *,
    actor: Actor,
    service_version: ServiceVersion,
    applicant_kind: str,
    applicant_identifier: str,
    actor_loa: str,
) -> Application:
    """Open a draft, prefilled from the base registers: only at the service's level of
    assurance, as the prefilled answers are the person's own data (identity.loa.StepUp).

    The registers are asked first, with no transaction open (core.outbound);
    only then is the draft written, in its own short transaction.
    """
    spec = catalogue.spec_of(service_version)
    if not service_version.is_current:
        raise _error(
            _("Den här versionen av e-tjänsten har ersatts. Börja en ny ansökan."), "old_version"
        )
    levels.require(actor_loa, spec.loa)
    if applicant_kind not in spec.applicant.kinds:
        raise _error(_("Den här e-tjänsten kan inte sökas av den som du valt."), "applicant_kind")
    organisation = service_version.organisation
    name = _applicant_name(spec, actor, applicant_kind, applicant_identifier, organisation)
    found = prefill.prefill(
        spec,
        applicant_kind=applicant_kind,
        applicant=applicant_identifier,
        organisation=organisation,
        user=actor.identifier,
    )
    return _open_draft(actor, service_version, applicant_kind, applicant_identifier, name, found)


@action
def _open_draft(
    actor: Actor,
    service_version: ServiceVersion,
    applicant_kind: str,
    applicant_identifier: str,
    name: str,
    found: prefill.Prefill,
) -> Application:
    now = clock.now()
    application = Application.objects.create(
        organisation=service_version.organisation,
        service_version=service_version,
        applicant_kind=applicant_kind,
        applicant_identifier=applicant_identifier,
        applicant_name=name,
        submitted_by=actor.identifier,
        answers=found.answers,
        prefilled=found.stored(),
        created_at=now,
        updated_at=now,
    )
    audit.record(
        actor=actor,
        action="application.started",
        organisation=application.organisation,
        on_behalf_of=applicant_identifier if applicant_identifier != actor.identifier else "",
        object_type="application",
        object_id=application.public_id,
        purpose=f"Ansökan {catalogue.spec_of(service_version).code}",
    )
    return application


def _applicant_name(
    spec: ServicePackageSpec,
    actor: Actor,
    applicant_kind: str,
    applicant: str,
    organisation: Organisation,
) -> str:
    if applicant_kind == ApplicantKind.PERSON:
        if applicant != actor.identifier:
            # Acting for another person needs a power of attorney (the mandates issue).
            raise _error(_("Du kan bara ansöka för dig själv här."), "not_representative")
        return actor.name or applicant
    return company_represented(spec, actor, applicant, organisation).name


def company_represented(
    spec: ServicePackageSpec, actor: Actor, number: str, organisation: Organisation
) -> Company:
    """The company register's record of a company the actor may file for: as its sole
    signatory, or, for a service whose applications are signed with e-ID, as one of the
    signatories who sign together (the others are asked to sign before it is filed).
    Asks the register: call it with no transaction open (core.outbound)."""
    try:
        company = registers(organisation, user=actor.identifier).company(
            number, purpose=f"Ansökan {spec.code}"
        )
    except RegisterUnavailable as error:
        raise _error(
            _("Näringslivsregistret kan inte nås just nu. Försök igen om en stund."),
            "register_unavailable",
        ) from error
    if company is None:
        raise _error(_("Företaget finns inte i näringslivsregistret."), "unknown_company")
    if signing.may_file_for(spec, company, actor.identifier):
        return company
    raise _error(
        _("Du får inte ensam företräda %(company)s enligt näringslivsregistret."),
        "not_representative",
        company=company.name,
    )


def _check_revision(application: Application, revision: int | None) -> None:
    if revision is not None and revision != application.revision:
        raise _error(
            _(
                "Ansökan har ändrats någon annanstans sedan du öppnade den. "
                "Ladda om sidan och gör ändringen igen."
            ),
            "stale",
        )


def _locked(application_id: int) -> Application:
    """The application, row-locked until the transaction ends, with what it points at."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service_version", "organisation")
        .defer(*queries.LARGE_VERSION_FIELDS, "signing_document")
        .get(pk=application_id)
    )


def _lock_draft(application: Application, revision: int | None = None) -> Application:
    locked = _locked(application.pk)
    if locked.status != Application.Status.DRAFT:
        raise _error(_("Ansökan är redan inskickad och kan inte ändras."), "not_draft")
    _check_revision(locked, revision)
    return locked


def _store_answers(locked: Application, answers: dict[str, Any]) -> None:
    """Store a draft's new answers as a new revision (so stale saves can be refused). What
    was being signed is no longer the application: signing begins anew."""
    locked.answers = answers
    locked.revision += 1
    locked.updated_at = clock.now()
    if locked.signing_digest:
        CoSigner.objects.filter(application=locked).delete()
    locked.signing_text, locked.signing_document, locked.signing_digest = "", None, ""
    locked.save(
        update_fields=[
            "answers",
            "revision",
            "updated_at",
            "signing_text",
            "signing_document",
            "signing_digest",
        ]
    )


@action
def save_answers(
    *,
    actor: Actor,
    application: Application,
    answers: dict[str, Any],
    revision: int | None = None,
) -> Application:
    """Store answers as given (a draft may be incomplete, or hold an answer for the person to
    mend); checked fully at submission. An answer of another shape than its question's (a
    list for one choice, an object for a number) is refused: it is never stored."""
    locked = _lock_draft(application, revision)
    spec = _spec(locked)
    unknown = sorted(set(answers) - {field.id for field in spec.all_fields()})
    if unknown:
        raise _error(
            _("Frågan finns inte i den här e-tjänsten: %(fields)s"),
            "unknown_field",
            fields=", ".join(unknown),
        )
    misshapen = {
        key: [_("Svaret har inte den form frågan tar emot.")]
        for key, value in answers.items()
        if not field_types.fits(spec.field(key), value)  # type: ignore[arg-type]
    }
    if misshapen:
        raise ValidationError(misshapen, code="invalid")
    attachment_fields = {f.id for f in spec.all_fields() if f.type == "attachment"}
    merged = {**locked.answers}
    for key, value in answers.items():
        if key in attachment_fields:
            continue  # attachments change only through add_attachment/remove_attachment
        merged[key] = value
    _store_answers(locked, merged)
    audit.record(
        actor=actor,
        action="application.saved",
        organisation=locked.organisation,
        object_type="application",
        object_id=locked.public_id,
        data={"fields": sorted(answers)},
    )
    return locked


# -- attachments -----------------------------------------------------------


def _attachment_field(spec: ServicePackageSpec, field_id: str) -> FormField:
    field = spec.field(field_id)
    if field is None or field.type != "attachment":
        raise _error(_("Frågan tar inte emot bilagor."), "unknown_field")
    return field


def add_attachment(
    *,
    actor: Actor,
    application: Application,
    field_id: str,
    file_name: str,
    chunks: Iterable[bytes],
) -> Attachment:
    """Check the file by its content and size, scan it, store it, and list it in the answers."""
    spec = _spec(application)
    field = _attachment_field(spec, field_id)
    content_type, stored = checked_file(
        chunks,
        accept=field.accept or [],
        max_size_mb=field.max_size_mb or 0,
        organisation_id=application.organisation_id,
    )
    try:
        return _record_attachment(actor, application, field, file_name, content_type, stored)
    except BaseException:
        storage.remove(stored.storage_name)  # never a file without its row
        raise


def checked_file(
    chunks: Iterable[bytes], *, accept: list[str], max_size_mb: float, organisation_id: int
) -> tuple[str, storage.Stored]:
    """A file recognised by its content as one of `accept`, within the size, scanned and stored."""
    iterator = iter(chunks)
    head = b""
    for chunk in iterator:
        head += chunk
        if len(head) >= 16:
            break
    content_type = storage.sniff(head)
    if content_type is None or content_type not in accept:
        names = ", ".join(storage.EXTENSIONS[t].lstrip(".").upper() for t in accept)
        raise _error(
            _("Filen är inte av en tillåten typ. Tillåtna typer: %(types)s."),
            "file_type",
            types=names,
        )
    limit = int(max_size_mb * 1024 * 1024)

    def bounded() -> Iterable[bytes]:
        size = 0
        for chunk in [head, *iterator]:
            size += len(chunk)
            if size > limit:
                raise _error(
                    _("Filen är för stor. Den får vara högst %(size)s MB."),
                    "file_size",
                    size=_plain(max_size_mb),
                )
            yield chunk

    chunks_list = list(bounded())  # bounded by the size limit
    try:
        storage.scanner().scan(chunks_list)
    except storage.ScanError as error:
        message = (
            _("Filen innehåller skadlig kod och togs inte emot.")
            if error.infected
            else _("Filen kunde inte kontrolleras just nu. Försök igen om en stund.")
        )
        raise _error(message, "file_infected" if error.infected else "scan_failed") from error
    stored = storage.store(chunks_list, organisation_id=organisation_id, content_type=content_type)
    return content_type, stored


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@action
def _record_attachment(
    actor: Actor,
    application: Application,
    field: FormField,
    file_name: str,
    content_type: str,
    stored: storage.Stored,
) -> Attachment:
    locked = _lock_draft(application)
    current = list(locked.answers.get(field.id) or [])
    if field.max_files and len(current) >= field.max_files:
        raise _error(
            _("Du kan bifoga högst %(count)s filer här."), "file_count", count=field.max_files
        )
    attachment = Attachment.objects.create(
        organisation=locked.organisation,
        application=locked,
        field_id=field.id,
        file_name=_safe_file_name(file_name, content_type),
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.storage_name,
        uploaded_at=clock.now(),
    )
    _store_answers(locked, {**locked.answers, field.id: [*current, str(attachment.public_id)]})
    audit.record(
        actor=actor,
        action="attachment.added",
        organisation=locked.organisation,
        object_type="attachment",
        object_id=attachment.public_id,
        data={"field": field.id, "sha256": stored.sha256, "size": stored.size},
    )
    return attachment


def _safe_file_name(name: str, content_type: str) -> str:
    base = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())
    base = base.strip().strip(".")[:200] or "bilaga"
    extension = storage.EXTENSIONS[content_type]
    return base if base.lower().endswith(extension) else f"{base}{extension}"


@action
def remove_attachment(*, actor: Actor, attachment: Attachment) -> None:
    locked = _lock_draft(attachment.application)
    kept = [
        value
        for value in locked.answers.get(attachment.field_id) or []
        if value != str(attachment.public_id)
    ]
    _store_answers(locked, {**locked.answers, attachment.field_id: kept})
    storage_name = attachment.storage_name
    attachment.delete()
    transaction.on_commit(lambda: storage.remove(storage_name))
    audit.record(
        actor=actor,
        action="attachment.removed",
        organisation=locked.organisation,
        object_type="attachment",
        object_id=attachment.public_id,
    )


# -- submitting -------------------------------------------------------------


def _new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def submit_application(*, actor: Actor, application_id: int, actor_loa: str) -> Case:
    """Submit once: a second submission (a double click) returns the same case.

    Takes the id, not a loaded application: the row is read once, locked. A company
    applicant's signatories are read from the company register first, with no
    transaction open (the register may be another node: core.outbound).
    """
    found = Application.objects.select_related("service_version", "organisation").get(
        pk=application_id
    )
    company = None
    if found.applicant_kind == ApplicantKind.COMPANY and found.status == Application.Status.DRAFT:
        company = company_represented(
            _spec(found), actor, found.applicant_identifier, found.organisation
        )
    signers = signing.signers_for(found, company)
    for _attempt in range(3):
        try:
            return _submit(actor, application_id, actor_loa, signers)
        except IntegrityError as error:
            # Only a receipt reference that happens to be taken already is worth
            # another try (one in 2^50); anything else is a real fault.
            if "reference" not in str(error):
                raise
    raise RuntimeError("no free receipt reference after three tries")


@action
def _submit(actor: Actor, application_id: int, actor_loa: str, signers: signing.Signers) -> Case:
    locked = _locked(application_id)
    if locked.status == Application.Status.SUBMITTED:
        return Case.objects.select_related("application").get(application=locked)
    spec = _spec(locked)
    levels.require(actor_loa, spec.loa)
    checked = answer_rules.clean(spec, locked.answers, complete=True)
    if not checked.ok:
        raise ValidationError({key: [message] for key, message in checked.errors.items()})
    if spec.signing.required:
        _check_signed(locked, signers)
    attachments = {
        str(a.public_id): a
        for a in Attachment.objects.filter(application=locked).order_by("uploaded_at", "pk")
    }
    for field in spec.all_fields():
        if field.type == "attachment":
            for value in checked.values.get(field.id, []):
                if value not in attachments:
                    raise ValidationError({field.id: [_("Bilagan finns inte.")]})
    counted = signing.counted(locked, signers) if spec.signing.required else []
    locked.answers = checked.values
    locked.status = Application.Status.SUBMITTED
    locked.submitted_at = clock.now()
    locked.submitted_loa = actor_loa
    locked.revision += 1
    locked.reference = _new_reference()
    locked.save(
        update_fields=[
            "answers",
            "status",
            "submitted_at",
            "submitted_loa",
            "revision",
            "reference",
        ]
    )
    locked.signatures.set(counted)
    case = _open_case(actor, locked, spec, list(attachments.values()))
    tell_applicant(actor, case, "application.received", reference=locked.reference)
    # One action, one audit row: the submission and the case it opened.
    audit.record(
        actor=actor,
        action="application.submitted",
        organisation=locked.organisation,
        on_behalf_of=locked.applicant_identifier
        if locked.applicant_identifier != actor.identifier
        else "",
        object_type="case",
        object_id=case.registrar_number,
        data={
            "application": str(locked.public_id),
            "reference": locked.reference,
            "service": spec.code,
            "version": spec.version,
            "loa": actor_loa,
            **(
                {
                    "signed": locked.signing_digest,
                    "signers": sorted(s.signer for s in counted),
                }
                if spec.signing.required
                else {}
            ),
        },
    )
    return case


def _check_signed(application: Application, signers: signing.Signers) -> None:
    if application.submitted_by not in signing.signed_by(application, signers):
        raise _error(
            _("Ansökan behöver skrivas under med e-legitimation innan den skickas in."),
            "signature_required",
        )
    missing = signing.missing(application, signers)
    if missing:
        raise _error(
            _(
                "Ansökan behöver skrivas under av ytterligare %(count)s firmatecknare "
                "innan den skickas in."
            ),
            "signatures_missing",
            count=missing,
        )


def next_registrar_number(organisation_id: int, series: str, year: int) -> int:
    """The next number in a series, gapless and unique (docs/adr/0005).

    One UPDATE ... RETURNING both takes the counter row's lock and moves it on;
    the lock stays until the caller's transaction ends, so a rollback returns
    the number and concurrent callers queue for it.
    """
    table = RegistrarCounter._meta.db_table
    sql = (
        f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608 - our own table name
        "WHERE organisation_id = %s AND series = %s AND year = %s RETURNING last_number"
    )
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, [organisation_id, series, year])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        # The first case in this series this year: make the counter, then take from it.
        RegistrarCounter.objects.get_or_create(
            organisation_id=organisation_id, series=series, year=year
        )
    raise RuntimeError("the registrar counter could not be taken")


def _open_case(
    actor: Actor, application: Application, spec: ServicePackageSpec, attachments: list[Attachment]
) -> Case:
    now = application.submitted_at or clock.now()
    series = spec.process.registrar_series
    year = clock.today().year
    secret = bool(spec.process.secrecy and spec.process.secrecy.whole_case)
    state = next(s for s in spec.process.states if s.id == spec.process.initial)
    opened_on = clock.today()
    timing = clocks.compute(spec.process.clock, [clocks.Step(opened_on, state.id)], today=opened_on)
    case = Case.objects.create(
        organisation=application.organisation,
        application=application,
        service_version=application.service_version,
        service_code=spec.code,
        series=series,
        year=year,
        state=state.id,
        resident_must_act=state.resident_must_act,
        finished=state.finished,
        applicant_kind=application.applicant_kind,
        applicant_identifier=application.applicant_identifier,
        applicant_name=application.applicant_name,
        submitted_by=application.submitted_by,
        secret=secret,
        opened_at=now,
        clock_started_on=timing.started_on,
        deadline=timing.sort_deadline,
    )
    ground = disclosure.ground_for(case, None)
    labels = {field.id: field.label.sv for field in spec.all_fields()}

    def registered(
        sequence: int, kind: str, title: str, attachment: Attachment | None = None
    ) -> Document:
        # OSL 5 kap. 1 §: registered without delay; secret ones with their ground.
        return Document(
            organisation=case.organisation,
            case=case,
            sequence=sequence,
            kind=kind,
            registered_at=now,
            direction=Document.Direction.INCOMING,
            counterpart=application.applicant_name,
            title=title,
            secrecy_ground=ground,
            attachment=attachment,
        )

    documents = [
        registered(1, Document.Kind.APPLICATION, f"{spec.name.sv} ({application.reference})"),
        *(
            registered(
                sequence,
                Document.Kind.ATTACHMENT,
                f"{labels.get(a.field_id, a.field_id)}: {a.file_name}",
                a,
            )
            for sequence, a in enumerate(attachments, start=2)
        ),
    ]
    Document.objects.bulk_create(documents)
    CaseEvent.objects.create(
        organisation=case.organisation,
        case=case,
        event_type=event_type(case, spec, "INKOMMEN"),
        occurred_at=now,
        actor=str(actor),
        resident_must_act=state.resident_must_act,
        finished=state.finished,
        data={"state": state.id, "reference": application.reference},
    )
    # The number last: its row lock is held until commit, so everything that
    # can happen before it does (docs/adr/0005).
    case.number = next_registrar_number(application.organisation_id, series, year)
    case.registrar_number = f"{series} {year}/{case.number:05d}"
    Case.objects.filter(pk=case.pk).update(
        number=case.number, registrar_number=case.registrar_number
    )
    return case


def event_type(case: Case, spec: ServicePackageSpec, event: str) -> str:
    """Mina ärenden's kundhandelseTyp: producer prefix, service, event. The standard's
    prefix is letters only: the organisation's slug without its hyphens and digits."""
    prefix = "".join(c for c in case.organisation.slug.upper() if "A" <= c <= "Z") or "ORG"
    return f"{prefix}.{spec.code}.{event}"
