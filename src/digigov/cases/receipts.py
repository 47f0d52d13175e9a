"""The PDF/A receipt a person gets for a submitted application."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from digigov.cases import signing
from digigov.cases.models import Application, Attachment, Case
from digigov.services import catalogue, presentation

# PDF/A-2b: what archives accept for long-term keeping (FGS, E-ARK).
PDF_VARIANT = "pdf/a-2b"


def application_context(application: Application) -> dict[str, object]:
    """The application as filed (cases/_application_pdf.html): the receipt's and the signed
    document's common part."""
    spec = catalogue.spec_of(application.service_version)
    attachments = list(Attachment.objects.filter(application=application).order_by("uploaded_at"))
    file_names = {str(a.public_id): a.file_name for a in attachments}
    return {
        "application": application,
        "spec": spec,
        "organisation": application.organisation,
        "service_name": presentation.localised(spec.name),
        "steps": presentation.summary(spec, application.answers, file_names),
        "attachments": attachments,
    }


def receipt_context(application: Application, case: Case) -> dict[str, object]:
    return {
        **application_context(application),
        "case": case,
        "signatures": signing.signatures_of(application),
    }


def receipt_pdf(application: Application, case: Case, language: str = "sv") -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries on import

    with translation.override(language):
        html = render_to_string("cases/receipt_pdf.html", receipt_context(application, case))
    document = HTML(string=html)
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
