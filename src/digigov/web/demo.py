"""The demo installation's organisations, people and staff. Loaded idempotently.

Every number here is fictitious but valid; the README lists the same data.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from digigov.cases import actions as case_actions
from digigov.cases.models import Case
from digigov.core import actions as core_actions
from digigov.core import clock
from digigov.core.actors import Actor
from digigov.core.models import Organisation
from digigov.identity import actions as identity_actions
from digigov.identity import loa
from digigov.identity import queries as identity_queries
from digigov.registers import actions as registers_actions
from digigov.services import actions as service_actions
from digigov.services import package
from digigov.services import queries as service_queries

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
    cases = _cases(organisations) if not Case.objects.exists() else 0
    return {
        "organisations": len(organisations),
        "staff": len(STAFF),
        "people": people,
        "services": installed,
        "cases": cases,
    }


# A drawing to attach: any PDF will do for the demo.
DEMO_PDF = b"%PDF-1.4\n% Digigov demo drawing\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ANNA = Actor.person("199003152387", "Anna Andersson")
GARAGE = {
    "ar_agare": True,
    "atgard": "garage_carport",
    "byggnadstyp": "komplementbyggnad",
    "bruttoarea": 36,
    "beskrivning": "Ett garage i trä med sadeltak, faluröd kulör, vid infarten.",
    "epost": "anna.andersson@exempel.se",
}


def _bygglov(organisation: Organisation, answers: dict[str, object]) -> Case:
    version = service_queries.current_service(organisation, "BYGGLOV")
    if version is None:
        raise RuntimeError(f"Bygglov is not installed at {organisation.slug}")
    application = case_actions.start_application(
        actor=ANNA,
        service_version=version,
        applicant_kind="person",
        applicant_identifier=ANNA.identifier,
    )
    application = case_actions.save_answers(actor=ANNA, application=application, answers=answers)
    for field in ("situationsplan", "planritning", "fasadritning"):
        case_actions.add_attachment(
            actor=ANNA,
            application=application,
            field_id=field,
            file_name=f"{field}.pdf",
            chunks=[DEMO_PDF],
        )
    return case_actions.submit_application(
        actor=ANNA, application_id=application.pk, actor_loa=loa.LOA3
    )


def _cases(organisations: dict[str, Organisation]) -> int:
    """Anna Andersson's two building permits: one at Exempelby waiting for her
    completion, one at Provstad being handled, so the workspace, her case
    pages and Mina sidor have something to show from the start."""
    exempelby = _bygglov(organisations["exempelby"], GARAGE)
    worker = case_actions.staff_in(
        identity_queries.staff_user_by_name("handlaggare"), organisations["exempelby"].pk
    )
    case_actions.take(
        staff=worker,
        case=exempelby,
        transition_id="begar_komplettering",
        revision=exempelby.revision,
        message=(
            "Situationsplanen behöver visa avståndet från garaget till tomtgränsen. "
            "Skicka en ny situationsplan med måtten utsatta."
        ),
        due_on=clock.today() + dt.timedelta(weeks=3),
    )
    provstad = _bygglov(
        organisations["provstad"],
        {
            **GARAGE,
            "atgard": "tillbyggnad",
            "byggnadstyp": "bostadshus",
            "bruttoarea": 24,
            "beskrivning": "Tillbyggnad av köket mot trädgården, 24 kvadratmeter.",
        },
    )
    per = case_actions.staff_in(
        identity_queries.staff_user_by_name("provstad"), organisations["provstad"].pk
    )
    case_actions.take(staff=per, case=provstad, transition_id="paborja", revision=provstad.revision)
    return 2
