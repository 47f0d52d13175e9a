"""What an applicant signs with e-ID: the application as a PDF/A document (its answers and
the SHA-256 of each attachment), and a short text they read in the BankID app naming
the service, the organisation, the applicant and the document's SHA-256; and who must
sign it (the person who filled it in, and for a company whose signatories sign together,
as many of them as the company register says)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from digigov.cases.models import ApplicantKind, Application, Case, Decision
from digigov.identity.models import Signature
from digigov.identity.signing import NotSigned, ToSign, check_bankid, digest_of
from digigov.registers.client import Company
from digigov.services import catalogue, presentation
from digigov.services.models import ServiceVersion
from digigov.services.spec import ServicePackageSpec

TEXT_LIMIT = 3_000  # well within BankID's 40 000 characters of base64


def purpose_of(application: Application) -> str:
    return f"application:{application.public_id}"


def document_pdf(application: Application) -> bytes:
    """The application as it will be filed, for signing (always in Swedish: the record)."""
    from weasyprint import HTML  # imported here: it loads system libraries on import

    from digigov.cases import receipts  # receipts shows signatures: it imports us

    with translation.override("sv"):
        html = render_to_string("cases/signing_pdf.html", receipts.application_context(application))
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant=receipts.PDF_VARIANT)
    return pdf


def text_for(application: Application, digest: str) -> str:
    """What the person reads in the app (simpleMarkdownV1), in Swedish."""
    lines = [
        f"# {_service_name(application.service_version)}",
        "",
        f"Jag skriver under {_whose(application)} till {application.organisation.name}.",
        "",
        f"Sökande: {application.applicant_name} ({application.applicant_identifier})",
        f"Ansökan som PDF, SHA-256: {digest}",
    ]
    return "\n".join(lines)[:TEXT_LIMIT]


def _service_name(version: ServiceVersion) -> str:
    """The service's name as signed texts give it: in Swedish, the record's language."""
    with translation.override("sv"):
        return str(presentation.localised(catalogue.spec_of(version).name))


def _whose(application: Application) -> str:
    if application.applicant_kind == ApplicantKind.COMPANY:
        return f"{application.applicant_name}s ansökan"
    return "min ansökan"


def to_sign(application: Application) -> ToSign | None:
    """What is to be signed now, if signing has begun and nothing changed since."""
    if not application.signing_digest:
        return None
    return ToSign(application.signing_text, application.signing_digest)


def signatures_of(application: Application) -> list[Signature]:
    """The signatures over the application as it is to be filed; once filed, those its
    filing counted (a signature made later, or by someone it did not count, is not shown)."""
    if application.status == Application.Status.SUBMITTED:
        return list(application.signatures.order_by("signed_at"))
    if not application.signing_digest:
        return []
    return list(
        Signature.objects.filter(
            purpose=purpose_of(application), digest=application.signing_digest
        ).order_by("signed_at")
    )


def may_file_for(spec: ServicePackageSpec, company: Company, person: str) -> bool:
    """May this person file an application of this service for the company: as its sole
    signatory, or, where the application is signed with e-ID, as one of the signatories who
    sign together (the others are asked to sign before it is filed)."""
    if company.signs_alone(person):
        return True
    return spec.signing.required and company.joint and company.is_signatory(person)


@dataclass(frozen=True)
class Signers:
    """Who must sign before an application is filed: `required` distinct people of
    `eligible` (personnummer to name), the person who filled it in always among them."""

    required: int
    eligible: dict[str, str]


def signers_for(application: Application, company: Company | None) -> Signers:
    """By the company register's firmateckning (read outside any transaction) for a
    company that signs with several together; otherwise the person who fills it in."""
    alone = Signers(1, {application.submitted_by: ""})
    if application.applicant_kind != ApplicantKind.COMPANY or company is None:
        return alone
    if not company.joint:
        return alone
    return Signers(
        company.signatories_required,
        {s.personal_identity_number: s.name for s in company.signatories},
    )


def signers_asked(application: Application) -> Signers:
    """Who the portal asks to sign (kept with the application when signing began, and
    again whenever the filer goes on to signing: prepare_signing), for pages."""
    eligible = {application.submitted_by: ""}
    eligible |= {c.personal_identity_number: c.name for c in application.cosigners.all()}
    return Signers(application.signatures_required, eligible)


def counted(application: Application, signers: Signers) -> list[Signature]:
    """The signatures that count: over the application as it is now, by those who may
    sign (each person's latest)."""
    latest = {s.signer: s for s in signatures_of(application) if s.signer in signers.eligible}
    return sorted(latest.values(), key=lambda s: s.signed_at)


def signed_by(application: Application, signers: Signers) -> set[str]:
    """Who of those who may sign has signed the application as it is now."""
    return {s.signer for s in counted(application, signers)}


def waiting_for(person: str, asked: Iterable[Application]) -> list[Application]:
    """Of the drafts a person was asked to sign, those without their signature yet."""
    return [a for a in asked if person not in {s.signer for s in signatures_of(a)}]


def missing(application: Application, signers: Signers) -> int:
    """How many signatures are still needed (the filler's own always among them)."""
    signed = signed_by(application, signers)
    if application.submitted_by not in signed:
        return max(signers.required - len(signed), 1)
    return max(signers.required - len(signed), 0)


def document_matches(application: Application) -> bool:
    document = document_of(application)
    return bool(document) and digest_of(document) == application.signing_digest


def document_of(application: Application) -> bytes:
    """The PDF the signatures cover (read on its own: it is large)."""
    document = (
        Application.objects.filter(pk=application.pk)
        .values_list("signing_document", flat=True)
        .first()
    )
    return bytes(document or b"")


@dataclass(frozen=True)
class Checked:
    signature: Signature
    problem: str  # "" when it holds


def verify(application: Application) -> tuple[str, list[Checked]]:
    """Check again, now, what an application's signatures show: the kept PDF is the one
    signed, and each signature's evidence signs exactly its text and that PDF's hash.
    Returns a problem with the document (or "") and each signature's outcome."""
    document_problem = "" if document_matches(application) else "the kept PDF is not the one signed"
    outcomes = []
    for signature in signatures_of(application):
        try:
            check_bankid(
                signature.evidence.get("completionData") or {},
                ToSign(signature.text, signature.digest),
                signature.signer,
            )
            outcomes.append(Checked(signature, ""))
        except NotSigned as error:
            outcomes.append(Checked(signature, str(error)))
    return document_problem, outcomes


# -- decisions ------------------------------------------------------------------------
# A package with `signing.decisions` has the case worker sign the decision with e-ID before
# it is taken. They sign its terms (the case, the outcome, the reasons and the fee) as
# canonical JSON, unseen, with a summary to read; the decision keeps the signature and its
# PDF says who signed.


def decision_purpose(case: Case) -> str:
    """What a decision's signature is for: the case as the worker saw it (its revision), so
    a signature made before the case changed (a new document, say) does not count."""
    return f"decision:{case.public_id}:{case.revision}"


def decision_terms_document(case: Case, outcome: str, reasons: str, fee: Decimal | None) -> bytes:
    """The decision's terms as signed: what a later check recomputes from the decision."""
    terms = {
        "case": case.registrar_number,
        "organisation": case.organisation.organisation_number,
        "outcome": outcome,
        "reasons": reasons,
        "fee": None if fee is None else str(fee),
    }
    return json.dumps(terms, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def decision_to_sign(
    case: Case, outcome_label: str, outcome: str, reasons: str, fee: Decimal | None
) -> ToSign:
    digest = digest_of(decision_terms_document(case, outcome, reasons, fee))
    lines = [
        f"# Beslut i ärende {case.registrar_number}",
        "",
        f"{_service_name(case.service_version)}, {case.organisation.name}.",
        f"Sökande: {case.applicant_name}",
        f"Beslut: {outcome_label}",
        f"Avgift: {'ingen' if fee is None else f'{fee} kr'}",
        "",
        "Jag skriver under beslutet med dessa skäl:",
        reasons,
        "",
        f"Beslutets villkor, SHA-256: {digest}",
    ]
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:  # the hash still covers every word of the reasons
        text = "\n".join([*lines[:8], reasons[:1500] + " …", "", lines[-1]])
    return ToSign(text, digest)


def decision_signature(case: Case, to_sign: ToSign, signer: str) -> Signature | None:
    """The signer's signature over exactly these terms, if they have made it."""
    return (
        Signature.objects.filter(
            purpose=decision_purpose(case), digest=to_sign.digest, signer=signer, text=to_sign.text
        )
        .order_by("-signed_at")
        .first()
    )


def verify_decision(decision: Decision) -> str:
    """Check again, now, a signed decision: its signature's evidence signs exactly its
    text and the hash of the decision's terms as kept. Returns the problem, or ""."""
    signature = decision.signature
    if signature is None:
        return "the decision is not signed"
    if not signature.purpose.startswith(f"decision:{decision.case.public_id}:"):
        return "the signature is not for this case's decision"
    kept = decision_terms_document(decision.case, decision.outcome, decision.reasons, decision.fee)
    if digest_of(kept) != signature.digest:
        return "the decision's terms are not the ones signed"
    try:
        check_bankid(
            signature.evidence.get("completionData") or {},
            ToSign(signature.text, signature.digest),
            signature.signer,
        )
    except NotSigned as error:
        return str(error)
    return ""
