"""The identity port: every way in (OIDC, BankID, SAML) ends in one `Identity`.

Whatever the e-ID, a sign-in yields the same facts: the personal or coordination number,
the names, the level of assurance as a Sweden Connect URI, the provider and the way
(`method`), and the evidence the provider gave (an ID token, BankID's completion data,
a SAML assertion), which `actions.sign_in` keeps with the sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Identity:
    """What an e-ID tells us about the person."""

    personal_identity_number: str
    given_name: str
    surname: str
    display_name: str
    loa: str
    provider: str
    subject: str = ""
    method: str = "oidc"  # oidc, bankid or saml
    evidence: Mapping[str, Any] = field(default_factory=dict)
