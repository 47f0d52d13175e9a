"""State changes owned by core: organisations, and the records of who read a person's data."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from digigov.core import audit, clock
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_organisation_number
from digigov.core.models import AccessRecord, Organisation
from digigov.core.transactions import action


@action
def save_organisation(
    *,
    actor: Actor,
    slug: str,
    name: str,
    kind: str,
    organisation_number: str,
    municipality_code: str = "",
    name_staff_in_data_tracker: bool | None = None,
) -> Organisation:
    """Create the organisation, or update the one with this slug. Idempotent.

    `name_staff_in_data_tracker`: None keeps what the organisation has chosen.
    """
    number = parse_organisation_number(organisation_number).value
    if kind not in Organisation.Kind.values:
        raise ValidationError({"kind": _("Okänd typ av organisation.")}, code="invalid")
    if kind == Organisation.Kind.MUNICIPALITY and not (
        len(municipality_code) == 4 and municipality_code.isascii() and municipality_code.isdigit()
    ):
        raise ValidationError(
            {"municipality_code": _("En kommun har en kommunkod med fyra siffror.")},
            code="invalid",
        )
    if kind != Organisation.Kind.MUNICIPALITY:
        municipality_code = ""
    fields: dict[str, object] = {
        "name": name,
        "kind": kind,
        "organisation_number": number,
        "municipality_code": municipality_code,
    }
    if name_staff_in_data_tracker is not None:
        fields["name_staff_in_data_tracker"] = name_staff_in_data_tracker
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is not None and all(
        getattr(organisation, key) == value for key, value in fields.items()
    ):
        return organisation
    if organisation is None:
        organisation = Organisation(slug=slug, **fields)
        action = "organisation.created"
    else:
        for key, value in fields.items():
            setattr(organisation, key, value)
        action = "organisation.updated"
    organisation.full_clean()
    organisation.save()
    audit.record(
        actor=actor,
        action=action,
        organisation=organisation,
        object_type="organisation",
        object_id=organisation.pk,
        data=fields,
    )
    return organisation


# One sitting: a case worker who opens the same case again for the same purpose within
# it is one reading, not one per page view (the data tracker shows readings).
SITTING = dt.timedelta(minutes=30)


@action
def record_access(
    *,
    organisation: Organisation,
    subjects: set[str],
    actor: Actor,
    role: str,
    purpose: str,
    object_type: str,
    object_id: str,
) -> int:
    """Someone in the organisation read these people's data: each person's data tracker
    will show who (by role), when and why. Once per purpose and sitting. The rows are
    themselves the record (no audit row: a reading changes nothing). Returns how many
    were written."""
    now = clock.now()
    people = {subject for subject in subjects if len(subject) == 12}  # not companies
    recent = set(
        AccessRecord.objects.filter(
            organisation=organisation,
            subject__in=people,
            actor=str(actor),
            purpose=purpose,
            object_type=object_type,
            object_id=object_id,
            accessed_at__gte=now - SITTING,
        ).values_list("subject", flat=True)
    )
    made = AccessRecord.objects.bulk_create(
        AccessRecord(
            organisation=organisation,
            subject=subject,
            accessed_at=now,
            actor=str(actor),
            actor_name=actor.name[:200],
            actor_role=role,
            purpose=purpose,
            object_type=object_type,
            object_id=object_id,
        )
        for subject in sorted(people - recent)
    )
    return len(made)
