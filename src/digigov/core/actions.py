"""State changes owned by core: organisations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from digigov.core import audit
from digigov.core.actors import Actor
from digigov.core.identifiers import parse_organisation_number
from digigov.core.models import Organisation


@transaction.atomic
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
        len(municipality_code) == 4 and municipality_code.isdigit()
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
