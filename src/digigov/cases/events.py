"""What a case's events are called, for people: one name for the staff page, the
applicant's page and Mina ärenden alike."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from digigov.cases.models import CaseEvent
from digigov.services import catalogue
from digigov.services.texts import localised

# What each kind of event says, by the last part of its type.
TITLES = {
    "INKOMMEN": _("Ansökan har kommit in"),
    "KOMPLETTERING_BEGARD": _("Komplettering begärd"),
    "KOMPLETTERING_INKOMMEN": _("Kompletteringen har kommit in"),
    "KOMMUNICERING": _("Underlag att yttra sig över"),
    "YTTRANDE_INKOMMET": _("Yttrandet har kommit in"),
    "HANDLAGGNINGSTID_FORLANGD": _("Handläggningstiden är förlängd"),
    "BESLUT": _("Beslut"),
    "AVSLUTAT": _("Ärendet är avslutat"),
}


def title(event: CaseEvent) -> str:
    """The event in words, in the reader's language: its kind's title, or the label of
    the state the case moved to."""
    name = event.event_type.rsplit(".", 1)[-1]
    if name in TITLES:
        return str(TITLES[name])
    case = event.case
    states = {state.id: state for state in catalogue.spec_of(case.service_version).process.states}
    state = states.get(str(event.data.get("state", case.state)))
    return localised(state.label) if state else name


def by_whom(event: CaseEvent) -> str:
    """Who made the event happen, in words: the applicant, a staff member by account, or
    the organisation's own systems."""
    kind, _sep, who = event.actor.partition(":")
    if kind == "person":
        return str(_("Sökande")) if who == event.case.applicant_identifier else str(_("Ombud"))
    if kind == "staff":
        return who
    return str(_("Systemet"))
