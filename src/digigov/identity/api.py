"""API of identity: who is signed in."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import APIKeyCookie, HttpBearer

from digigov.core.problems import documented
from digigov.identity import queries
from digigov.identity.models import ApiCredential
from digigov.identity.session import ResidentSession

router = Router(tags=["identity"])


class ResidentSessionAuth(APIKeyCookie):
    """The resident's signed-in browser session (the portal's own calls)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> ResidentSession | None:
        return getattr(request, "resident", None)


class OrganisationKeyAuth(HttpBearer):
    """An organisation's own system, with a key from `digigov api_credential create`."""

    openapi_description = "Authorization: Bearer dg_<key id>_<secret>, one organisation's key"

    def authenticate(self, request: HttpRequest, token: str) -> ApiCredential | None:
        return queries.api_credential(token)


class Me(Schema):
    personalIdentityNumber: str
    givenName: str
    sn: str
    displayName: str
    loa: str


@router.get(
    "/me", response=documented(200, Me, 401), auth=ResidentSessionAuth(), operation_id="getMe"
)
def me(request: HttpRequest) -> Me:
    """The signed-in person, with the attributes their e-ID gave."""
    current: ResidentSession = request.auth  # type: ignore[attr-defined]
    person = current.resident
    return Me(
        personalIdentityNumber=person.personal_identity_number,
        givenName=person.given_name,
        sn=person.surname,
        displayName=person.display_name,
        loa=current.loa,
    )
