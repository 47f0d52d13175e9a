"""A registered document's title in the reader's language.

The registrar keeps the title in Swedish, as registered (OSL 5 kap.); a page in
English shows the same title in English for the documents the platform writes
itself, and the registered title for those someone else named.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from digigov.cases.models import Document
from digigov.services import catalogue

# The titles the platform registers its own documents with, in Swedish as registered;
# the actions register these and a page in English translates them.
REGISTERED = {
    Document.Kind.COMPLETION_REQUEST: gettext_noop("Begäran om komplettering"),
    Document.Kind.COMMUNICATION: gettext_noop("Kommunicering inför beslut"),
    Document.Kind.COMPLETION: gettext_noop("Komplettering"),
    Document.Kind.COMMENT: gettext_noop("Yttrande"),
    Document.Kind.EXTENSION: gettext_noop("Underrättelse om förlängd handläggningstid"),
}
_OURS = set(REGISTERED.values())


def shown_title(document: Document) -> str:
    """The title as a reader of the current language should see it."""
    if not (get_language() or "sv").startswith("en"):
        return document.title
    title = document.title
    if title in _OURS:
        return _(title)
    kind = document.kind
    if kind == Document.Kind.DECISION and (decision := getattr(document, "decision", None)):
        return _("Beslut: %(outcome)s") % {"outcome": decision.outcome_label_en}
    if kind == Document.Kind.APPLICATION:
        spec = catalogue.spec_of(document.case.service_version)
        return title.replace(spec.name.sv, spec.name.en, 1)
    if kind == Document.Kind.ATTACHMENT and document.attachment is not None:
        prefix, _sep, name = title.partition(": ")
        spec = catalogue.spec_of(document.case.service_version)
        field = spec.field(document.attachment.field_id)
        if field is not None and prefix == field.label.sv:
            return f"{field.label.en}: {name}"
        if prefix in _OURS:
            return f"{_(prefix)}: {name}"
    return title


def public_title(document: Document) -> str:
    """The title as the public sees it: a file a resident gave is named by what it is (the
    form's label, or the kind of document), never by the file name they chose."""
    if document.kind != Document.Kind.ATTACHMENT:
        return shown_title(document)
    prefix, _sep, _name = shown_title(document).partition(": ")
    return prefix if _sep else str(Document.Kind(document.kind).label)
