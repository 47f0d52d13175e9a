"""The demo installation's organisations, people and staff. Loaded idempotently.

Every number here is fictitious but valid; the README lists the same data.
"""

from __future__ import annotations

from django.db import transaction

from digigov.core import actions as core_actions
from digigov.core.actors import Actor
from digigov.identity import actions as identity_actions
from digigov.registers import actions as registers_actions
from digigov.services import actions as service_actions
from digigov.services import package

DEMO_ACTOR = Actor.system("demo-data")
DEMO_PASSWORD = "demo-losenord-2026"  # noqa: S105 - published in the README, demo only

ORGANISATIONS = [
    {
        "slug": "exempelby",
        "name": "Exempelby kommun",
        "kind": "kommun",
        "organisation_number": "212000-9994",
        "municipality_code": "9991",
    },
    {
        "slug": "provstad",
        "name": "Provstad kommun",
        "kind": "kommun",
        "organisation_number": "212000-9986",
        "municipality_code": "9992",
    },
    {
        "slug": "exempelverket",
        "name": "Myndigheten för exempeldata",
        "kind": "myndighet",
        "organisation_number": "202100-9978",
        "municipality_code": "",
    },
]

# username, first name, last name, [(organisation slug, role)]
STAFF = [
    ("handlaggare", "Hanna", "Handläggare", [("exempelby", "handlaggare")]),
    ("registrator", "Rolf", "Registrator", [("exempelby", "registrator")]),
    ("admin", "Alva", "Administratör", [("exempelby", "administrator")]),
    ("provstad", "Per", "Provare", [("provstad", "handlaggare"), ("provstad", "registrator")]),
    ("verket", "Vera", "Verksam", [("exempelverket", "handlaggare")]),
]


@transaction.atomic
def load() -> dict[str, int]:
    organisations = {
        spec["slug"]: core_actions.save_organisation(actor=DEMO_ACTOR, **spec)
        for spec in ORGANISATIONS
    }
    for username, first_name, last_name, roles in STAFF:
        identity_actions.save_staff_account(
            actor=DEMO_ACTOR,
            username=username,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            roles=[(organisations[slug], role) for slug, role in roles],
        )
    people = registers_actions.load_synthetic(actor=DEMO_ACTOR)
    installed = 0
    for folder in package.built_in_packages():
        spec = package.load(folder).spec
        for organisation in organisations.values():
            if organisation.kind in spec.offered_by:
                service_actions.install_package(
                    actor=DEMO_ACTOR, organisation=organisation, spec=spec
                )
                installed += 1
    return {
        "organisations": len(organisations),
        "staff": len(STAFF),
        "people": people,
        "services": installed,
    }
