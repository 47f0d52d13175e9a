"""Staff accounts, their roles and their sign-ins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.core.transactions import action
from digigov.identity.models import (
    FailedStaffSignIn,
    StaffMembership,
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
def sign_in_staff(*, user: AbstractBaseUser, client_address: str) -> None:
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
        data={"client_address": client_address},
    )
