"""The decision as a PDF/A document: outcome, reasons, fee and how to appeal (FL 32-33 §§)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from digigov.cases.models import Case, Decision
from digigov.cases.receipts import PDF_VARIANT
from digigov.services.spec import ServicePackageSpec


def decision_pdf(
    case: Case, spec: ServicePackageSpec, decision: Decision, language: str = "sv"
) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries on import

    english = language == "en"
    context = {
        "case": case,
        "decision": decision,
        "organisation": case.organisation,
        "service_name": spec.name.en if english else spec.name.sv,
        "outcome_label": decision.outcome_label_en if english else decision.outcome_label_sv,
        "outcome_text": decision.outcome_text_en if english else decision.outcome_text_sv,
        "appeal_text": decision.appeal_text_en if english else decision.appeal_text_sv,
        "appeal_to": spec.process.decisions.appeal.to.en
        if english
        else spec.process.decisions.appeal.to.sv,
        "law": spec.process.clock.law if spec.process.clock else "",
    }
    with translation.override(language):
        html = render_to_string("cases/decision_pdf.html", context)
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
