"""What a person is told while a BankID order runs: BankID's recommended user messages
(RFA1-RFA23 of its relying-party guidelines), chosen from the order's status and hint code.

The texts are BankID's, in Swedish and English; the relying party must not invent its
own for these states. A hint code BankID adds later is tolerated: a pending order says
RFA21 ("in progress"), a failed one RFA22 ("unknown error").
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

INSTALL = "https://install.bankid.com"

TEXTS: dict[str, Promise] = {
    "RFA1": _("Starta BankID-appen."),
    "RFA2": _("Du har inte BankID-appen installerad. Kontakta din bank."),
    "RFA3": _("Åtgärden avbruten. Försök igen."),
    "RFA4": _(
        "En identifiering eller underskrift för det här personnumret är redan påbörjad. "
        "Försök igen."
    ),
    "RFA5": _("Internt tekniskt fel. Försök igen."),
    "RFA6": _("Åtgärden avbruten."),
    "RFA8": _(
        "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
        "internetanslutning. Om du inte har något giltigt BankID kan du skaffa ett hos din "
        "bank. Försök sedan igen."
    ),
    "RFA9": _("Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."),
    "RFA13": _("Försöker starta BankID-appen."),
    "RFA14A": _(
        "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, "
        "sätt in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din "
        "bank. Om du har ett BankID på en annan enhet kan du starta din BankID-app där."
    ),
    "RFA14B": _(
        "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här enheten. Om du inte har något "
        "BankID kan du skaffa ett hos din bank. Om du har ett BankID på en annan enhet kan "
        "du starta din BankID-app där."
    ),
    "RFA15A": _(
        "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, "
        "sätt in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank."
    ),
    "RFA15B": _(
        "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här enheten. Om du inte har något "
        "BankID kan du skaffa ett hos din bank."
    ),
    "RFA16": _(
        "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat "
        "BankID eller skaffa ett nytt hos din bank."
    ),
    "RFA17A": _(
        "BankID-appen verkar inte finnas i din dator eller telefon. Installera den och "
        "skaffa ett BankID hos din bank. Installera appen från din appbutik eller "
        "https://install.bankid.com."
    ),
    "RFA17B": _(
        "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. "
        "Kontrollera att BankID-appen är uppdaterad. Om du inte har BankID-appen måste du "
        "installera den och skaffa ett BankID hos din bank. Installera appen från din "
        "appbutik eller https://install.bankid.com."
    ),
    "RFA18": _("Starta BankID-appen"),
    "RFA19": _(
        "Vill du identifiera dig eller skriva under med BankID på den här datorn eller med "
        "ett Mobilt BankID?"
    ),
    "RFA20": _(
        "Vill du identifiera dig eller skriva under med ett BankID på den här enheten eller "
        "med ett BankID på en annan enhet?"
    ),
    "RFA21": _("Identifiering eller underskrift pågår."),
    "RFA22": _("Okänt fel. Försök igen."),
    "RFA23": _("Fotografera och läs av din ID-handling med BankID-appen."),
}

# Failed orders: the same message however the app was started, except startFailed.
_FAILED = {
    "userCancel": "RFA6",
    "cancelled": "RFA3",
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
}
# Errors the API answers with instead of an order (HTTP 4xx/5xx `errorCode`).
_ERRORS = {
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "maintenance": "RFA5",
    "internalError": "RFA5",
    "unavailable": "RFA5",  # our own: the service did not answer at all
}


def code_for(status: str, hint: str, *, qr: bool, mobile: bool = False) -> str:
    """The RFA code for a collected order: `qr` when the person scans a QR on another
    device, otherwise the app was started on this one; `mobile` when this is a phone."""
    if status == "failed":
        if hint == "startFailed":
            return "RFA17B" if qr else "RFA17A"
        return _FAILED.get(hint, "RFA22")
    if status != "pending":
        return "RFA22"
    if hint == "outstandingTransaction":
        return "RFA1" if qr else "RFA13"
    if hint == "noClient":
        return "RFA1"
    if hint == "started":
        return "RFA14B" if mobile else "RFA14A"
    if hint == "userSign":
        return "RFA9"
    if hint == "userMrtd":
        return "RFA23"
    return "RFA21"


def code_for_error(error_code: str) -> str:
    """The RFA code for an error the API gave instead of an order."""
    return _ERRORS.get(error_code, "RFA22")


def status_for(code: str) -> int:
    """The HTTP status of a page that could not start an order: in progress elsewhere
    (RFA4) is a conflict, the service down or slow (RFA5) unavailable, anything else bad
    gateway."""
    return {"RFA4": 409, "RFA5": 503}.get(code, 502)


def text(code: str) -> str:
    return str(TEXTS[code])
