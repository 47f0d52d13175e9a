"""Staff accounts, their roles and their sign-ins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_person_identifier
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.identity import second_factor
from digigov.identity.models import (
    FailedStaffSignIn,
    StaffEid,
    StaffMembership,
    StaffPolicy,
    StaffSecondFactor,
    StaffSignInAddress,
)

# -- staff ------------------------------------------------------------------


@action
def save_staff_account(
    *,
    actor: Actor,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    roles: list[tuple[Organisation, str]],
    superuser: bool | None = None,
) -> AbstractBaseUser:
    """Create or update a staff account and set its roles exactly. Idempotent.

    A service administrator may use the admin for their organisations (is_staff);
    `superuser` makes the operator's account (None keeps what the account has). The
    account's creation, a new password and a change of superuser each leave an audit
    row (never the password).
    """
    for _organisation, role in roles:
        if role not in StaffMembership.Role.values:
            raise ValueError(f"unknown role {role!r}")
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    changed: dict[str, Any] = {}
    if created or not user.check_password(password):
        user.set_password(password)
        changed["new_password"] = True
    if superuser is not None and user.is_superuser != superuser:
        user.is_superuser = superuser
        changed["superuser"] = superuser
    user.first_name, user.last_name = first_name, last_name
    user.is_staff = user.is_superuser or any(
        role == StaffMembership.Role.ADMINISTRATOR for _organisation, role in roles
    )
    user.save()
    if created or changed:
        audit.record(
            actor=actor,
            action="staff.account_created" if created else "staff.account_changed",
            object_type="user",
            object_id=user.pk,
            data={"username": username, **changed},
        )
    wanted = {(organisation.pk, role): organisation for organisation, role in roles}
    current = {
        (m.organisation_id, m.role): m for m in user.memberships.select_related("organisation")
    }
    for key, membership in current.items():
        if key not in wanted:
            membership.delete()
            _audit_role(actor, "staff.role_revoked", membership.organisation, user, membership.role)
    for (_pk, role), organisation in wanted.items():
        if (organisation.pk, role) not in current:
            StaffMembership.objects.create(user=user, organisation=organisation, role=role)
            _audit_role(actor, "staff.role_granted", organisation, user, role)
    return user


def _audit_role(
    actor: Actor, action: str, organisation: Organisation, user: AbstractBaseUser, role: str
) -> None:
    audit.record(
        actor=actor,
        action=action,
        organisation=organisation,
        object_type="user",
        object_id=user.pk,
        data={"username": user.get_username(), "role": role},
    )


@action
def record_failed_staff_sign_in(*, username: str, client_address: str) -> None:
    FailedStaffSignIn.objects.create(
        username=username[:150], client_address=client_address, attempted_at=clock.now()
    )
    audit.record(
        actor=Actor.system("staff-sign-in"),
        action="staff.sign_in_failed",
        data={"username": username[:150], "client_address": client_address},
    )


@action
def sign_in_staff(*, user: AbstractBaseUser, client_address: str, method: str = "password") -> None:
    """A staff member signed in: their failed attempts from this address are forgotten, the
    address and time kept.
    (Django's own last_login receiver is off: this action writes it; identity.apps.)"""
    username = user.get_username()
    now = clock.now()
    FailedStaffSignIn.objects.filter(username=username, client_address=client_address).delete()
    StaffSignInAddress.objects.update_or_create(
        username=username, client_address=client_address, defaults={"last_signed_in_at": now}
    )
    user.last_login = now
    user.save(update_fields=["last_login"])
    audit.record(
        actor=Actor.staff(username),
        action="staff.signed_in",
        object_type="user",
        object_id=user.pk,
        data={"client_address": client_address, "method": method},
    )


@action
def set_staff_eid(*, actor: Actor, user: AbstractBaseUser, number: str) -> None:
    """Tie a staff account to the person's e-ID number ("" unties it)."""
    if number:
        number = parse_person_identifier(number).value
        holder = StaffEid.objects.filter(personal_identity_number=number).exclude(user_id=user.pk)
        if holder.exists():
            raise ValidationError(
                _("Personnumret är redan kopplat till ett annat personalkonto."), "eid_taken"
            )
        StaffEid.objects.update_or_create(
            user_id=user.pk, defaults={"personal_identity_number": number}
        )
    else:
        StaffEid.objects.filter(user_id=user.pk).delete()
    audit.record(
        actor=actor,
        action="staff.eid_set" if number else "staff.eid_removed",
        object_type="user",
        object_id=user.pk,
    )


@action
def set_staff_policy(*, actor: Actor, organisation: Organisation, second_factor: bool) -> None:
    """Whether the organisation's password accounts need a one-time code too."""
    StaffPolicy.objects.update_or_create(
        organisation=organisation, defaults={"second_factor_required": second_factor}
    )
    audit.record(
        actor=actor,
        action="staff.policy_set",
        organisation=organisation,
        object_type="organisation",
        object_id=organisation.pk,
        data={"second_factor_required": second_factor},
    )


@action
def begin_second_factor(*, user: AbstractBaseUser) -> str:
    """A new TOTP secret for an account without a confirmed one (returned, to show once
    as a QR code; kept sealed)."""
    existing = StaffSecondFactor.objects.select_for_update().filter(user_id=user.pk).first()
    if existing is not None and existing.confirmed_at is not None:
        raise ValueError("the account has a second factor already")
    secret = second_factor.new_secret()
    StaffSecondFactor.objects.update_or_create(
        user_id=user.pk,
        defaults={
            "sealed_secret": second_factor.sealed(secret),
            "confirmed_at": None,
            "last_step": 0,
        },
    )
    audit.record(
        actor=Actor.staff(user.get_username()),
        action="staff.second_factor_begun",
        object_type="user",
        object_id=user.pk,
    )
    return secret


@action
def use_second_factor(*, user: AbstractBaseUser, code: str) -> bool:
    """Is `code` the account's current one-time code, not used before? A first good code
    confirms a new secret."""
    factor = StaffSecondFactor.objects.select_for_update().filter(user_id=user.pk).first()
    if factor is None:
        return False
    step = second_factor.matching_step(
        second_factor.opened(factor.sealed_secret), code, factor.last_step
    )
    if step is None:
        return False
    confirming = factor.confirmed_at is None
    factor.last_step = step
    if confirming:
        factor.confirmed_at = clock.now()
    factor.save(update_fields=["last_step", "confirmed_at"])
    if confirming:
        audit.record(
            actor=Actor.staff(user.get_username()),
            action="staff.second_factor_confirmed",
            object_type="user",
            object_id=user.pk,
        )
    return True


@action
def remove_second_factor(*, actor: Actor, user: AbstractBaseUser) -> None:
    """For a lost phone: the next sign-in sets up a new one (where required)."""
    StaffSecondFactor.objects.filter(user_id=user.pk).delete()
    audit.record(
        actor=actor, action="staff.second_factor_removed", object_type="user", object_id=user.pk
    )
