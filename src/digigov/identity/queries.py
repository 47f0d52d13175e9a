"""Read helpers for identity."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from digigov.core import clock
from digigov.core.models import Organisation
from digigov.identity.models import (
    AccessToken,
    ApiCredential,
    FailedStaffSignIn,
    SignIn,
    StaffEid,
    StaffMembership,
    StaffPolicy,
    StaffSecondFactor,
    StaffSignInAddress,
    TestClient,
)

THROTTLE_WINDOW = dt.timedelta(minutes=15)
ADDRESS_FACTOR = 20  # failures from one address, across accounts, before it is stopped
KNOWN_ADDRESS = dt.timedelta(days=90)  # signed in from there lately: not stopped with it


def memberships(user: AbstractBaseUser) -> QuerySet[StaffMembership]:
    """The signed-in staff member's own roles, never anyone else's."""
    return StaffMembership.objects.filter(user_id=user.pk).select_related("organisation")


def staff_with_role(organisation_id: int, role: str) -> list[AbstractBaseUser]:
    """The active staff accounts holding a role in one organisation, by name."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(
            memberships__organisation_id=organisation_id, memberships__role=role, is_active=True
        ).order_by("first_name", "last_name", "username")
    )


def staff_user(user_id: int) -> AbstractBaseUser | None:
    found: AbstractBaseUser | None = (
        get_user_model().objects.filter(pk=user_id, is_active=True).first()
    )
    return found


def staff_user_by_name(username: str) -> AbstractBaseUser:
    found: AbstractBaseUser = get_user_model().objects.get(username=username)
    return found


def staff_sign_in_throttled(username: str, client_address: str, limit: int) -> bool:
    """May this account not try to sign in from this address now?

    Failures count per account and address together: `limit` of them in the window stop
    that pair only, so no one elsewhere can lock a staff member out. Guessing on a larger
    scale is stopped too, except for an address the account signed in from lately (an
    office keeps working): an address failing `limit` x ADDRESS_FACTOR times whatever the
    account names, and an account failing that often from everywhere together.
    """
    now = clock.now()
    recent = FailedStaffSignIn.objects.filter(attempted_at__gte=now - THROTTLE_WINDOW)
    if recent.filter(username=username, client_address=client_address).count() >= limit:
        return True
    broad = limit * ADDRESS_FACTOR
    if (
        recent.filter(client_address=client_address).count() < broad
        and recent.filter(username=username).count() < broad
    ):
        return False
    return not StaffSignInAddress.objects.filter(
        username=username,
        client_address=client_address,
        last_signed_in_at__gte=now - KNOWN_ADDRESS,
    ).exists()


def access_token_claims(token_hash: str) -> dict[str, object] | None:
    token = AccessToken.objects.filter(token_hash=token_hash, expires_at__gt=clock.now()).first()
    return None if token is None else dict(token.claims)


def api_credential(key: str) -> ApiCredential | None:
    """The live credential a presented key belongs to, compared in constant time."""
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != "dg" or not key_id or not secret:
        return None
    found = (
        ApiCredential.objects.filter(key_id=key_id, revoked_at__isnull=True)
        .select_related("organisation")
        .first()
    )
    if found is None:
        return None
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return found if hmac.compare_digest(digest, found.secret_hash) else None


def api_credentials(organisation_id: int) -> QuerySet[ApiCredential]:
    return ApiCredential.objects.filter(organisation_id=organisation_id).order_by("created_at")


def test_client(client_id: str) -> TestClient | None:
    """A relying party registered with the test e-ID provider."""
    return TestClient.objects.filter(client_id=client_id).first()


def test_clients() -> QuerySet[TestClient]:
    return TestClient.objects.order_by("client_id")


def administered_organisations(user: Any) -> QuerySet[Organisation]:
    """Where this staff member is a service administrator; every organisation for a
    superuser (the operator)."""
    if getattr(user, "is_superuser", False):
        return Organisation.objects.order_by("name")
    administering = StaffMembership.objects.filter(
        user_id=user.pk, role=StaffMembership.Role.ADMINISTRATOR
    ).values("organisation_id")
    return Organisation.objects.filter(pk__in=administering).order_by("name")


def sign_in_of(resident_id: int, sign_in_id: int | None) -> SignIn | None:
    """A resident's own sign-in (its evidence), by the id their session keeps."""
    if sign_in_id is None:
        return None
    return SignIn.objects.filter(pk=sign_in_id, resident_id=resident_id).first()


def staff_by_eid(number: str) -> AbstractBaseUser | None:
    """The active staff account tied to this e-ID number."""
    found = (
        StaffEid.objects.select_related("user")
        .filter(personal_identity_number=number, user__is_active=True)
        .first()
    )
    return found.user if found else None


def eid_number_of(user: AbstractBaseUser | None) -> str | None:
    """The e-ID number a staff account is tied to (to sign with), if any."""
    if user is None:
        return None
    found = StaffEid.objects.filter(user_id=user.pk).values_list(
        "personal_identity_number", flat=True
    )
    return found.first()


def second_factor_of(user: AbstractBaseUser) -> StaffSecondFactor | None:
    return StaffSecondFactor.objects.filter(user_id=user.pk).first()


def second_factor_needed(user: AbstractBaseUser) -> bool:
    """After the password: a confirmed second factor is always asked for; one is required
    when any organisation the account works for requires it."""
    factor = second_factor_of(user)
    if factor is not None and factor.confirmed_at is not None:
        return True
    organisations = StaffMembership.objects.filter(user_id=user.pk).values("organisation")
    return StaffPolicy.objects.filter(
        organisation__in=organisations, second_factor_required=True
    ).exists()


def roles_of(user: AbstractBaseUser) -> list[str]:
    """The account's roles now, as `organisation:role` (and `superuser`), sorted."""
    roles = sorted(
        f"{organisation}:{role}"
        for organisation, role in StaffMembership.objects.filter(user_id=user.pk).values_list(
            "organisation_id", "role"
        )
    )
    return [*roles, *(["superuser"] if getattr(user, "is_superuser", False) else [])]
