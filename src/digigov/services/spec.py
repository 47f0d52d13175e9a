"""The service package format: what one YAML file set may say, checked field by field.

docs/service-packages.md describes the format for people; this module is its
definition. Loading goes through pydantic so every error names the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from digigov.identity.roles import StepActor
from digigov.services import fields as field_kinds

IDENTIFIER = r"^[a-z][a-z0-9_]{0,62}$"
SERVICE_CODE = r"^[A-Z][A-Z0-9_]{1,31}$"
VERSION = r"^[0-9]+\.[0-9]+\.[0-9]+$"

OrganisationKind = Literal["kommun", "region", "myndighet"]
ApplicantKind = Literal["person", "company"]
# What taking a transition does besides moving the case (cases/actions/handling.py).
TransitionKind = Literal[
    "move",  # only the state changes
    "request_completion",  # a request with a due date goes to the applicant
    "communicate",  # kommunicering (FL 25 §): the applicant may comment by a date
    "answer",  # the applicant answered the open request
    "decide",  # a decision: outcome, reasons, appeal instructions, a PDF/A document
    "close",
]
PrefillSource = Literal[
    "person.name",
    "person.address",
    "person.household",
    "property.owned_by_applicant",
    "company.name",
    "company.address",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """Every text for people comes in Swedish and English."""

    sv: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]


class Duration(Strict):
    weeks: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def not_empty(self) -> Duration:
        if not (self.weeks or self.days or self.months):
            raise ValueError("a duration needs weeks, days or months")
        return self


class Option(Strict):
    value: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text


class Condition(Strict):
    """Show a field only when an earlier field has one of these values."""

    field: Annotated[str, Field(pattern=IDENTIFIER)]
    equals: str | bool | None = None
    among: list[str] | None = Field(default=None, alias="in")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def one_test(self) -> Condition:
        if (self.equals is None) == (self.among is None):
            raise ValueError("a condition has either 'equals' or 'in'")
        return self


class FormField(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    type: str  # a name in services.fields.KINDS
    label: Text
    help: Text | None = None
    required: bool = False
    visible_if: Condition | None = None
    prefill: PrefillSource | None = None
    # text, long_text
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1, le=100_000)
    pattern: str | None = None
    # number, money
    minimum: float | None = None
    maximum: float | None = None
    # choice, multiple_choice
    options: list[Option] | None = None
    # attachment
    accept: list[str] | None = None
    max_size_mb: float | None = Field(default=None, gt=0, le=100)
    max_files: int | None = Field(default=None, ge=1, le=50)
    # group
    fields: list[FormField] | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=1, le=100)

    @field_validator("type")
    @classmethod
    def known_type(cls, value: str) -> str:
        if value not in field_kinds.KINDS:
            raise ValueError(
                f"unknown field type {value!r}; known: {', '.join(map(repr, field_kinds.KINDS))}"
            )
        return value

    @model_validator(mode="after")
    def fits_its_type(self) -> FormField:
        field_kinds.check_definition(self)
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValueError(f"pattern is not a valid regular expression: {error}") from None
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is greater than maximum")
        return self


class Step(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: Text
    intro: Text | None = None
    fields: Annotated[list[FormField], Field(min_length=1)]


class Applicant(Strict):
    kinds: Annotated[list[ApplicantKind], Field(min_length=1)]
    # May someone apply on another's behalf (power of attorney, signatory)?
    on_behalf: bool = False
    # For companies: the submitter must be allowed to represent it.
    representative_required: bool = False


class Signing(Strict):
    """What is signed with e-ID: the application, before it is submitted (`required`), and
    the decision, by the case worker who takes it (`decisions`)."""

    required: bool = False
    decisions: bool = False


class State(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text
    resident_text: Text
    resident_must_act: bool = False
    finished: bool = False


class Transition(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text
    source: Annotated[list[str], Field(min_length=1, alias="from")]
    target: Annotated[str, Field(alias="to")]
    by: Annotated[list[StepActor], Field(min_length=1)]
    does: TransitionKind = "move"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Extension(Strict):
    max: Duration
    times: int = Field(default=1, ge=1, le=3)


class Clock(Strict):
    """A statutory deadline: when it starts, how long it runs, when it pauses."""

    law: Annotated[str, Field(min_length=1)]
    starts: Literal["submitted", "complete"]
    length: Duration
    pauses_in: list[str] = []
    extension: Extension | None = None
    completion_request_within: Duration | None = None


class Fee(Strict):
    fixed: float | None = Field(default=None, ge=0)
    per_unit: float | None = Field(default=None, ge=0)
    unit_field: str | None = None
    minimum: float | None = Field(default=None, ge=0)
    # PBL 12 kap. 8 a §: a fifth less for every started week past the deadline.
    reduction_per_started_week_late: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def one_way_to_compute(self) -> Fee:
        if (self.fixed is None) == (self.per_unit is None):
            raise ValueError("a fee is either 'fixed' or 'per_unit' with 'unit_field'")
        if self.per_unit is not None and not self.unit_field:
            raise ValueError("a per_unit fee needs 'unit_field'")
        return self


class Outcome(Strict):
    id: Annotated[str, Field(pattern=IDENTIFIER)]
    label: Text
    text: Text
    against_party: bool = False
    # Whether the process's fee is charged for this outcome (no fee for a dismissal).
    charges_fee: bool = True


class Appeal(Strict):
    to: Text
    within: Duration
    text: Text


class Decisions(Strict):
    outcomes: Annotated[list[Outcome], Field(min_length=1)]
    appeal: Appeal


class Secrecy(Strict):
    whole_case: bool
    ground: Annotated[str, Field(min_length=1)]


class Retention(Strict):
    retention_class: Annotated[str, Field(min_length=1, alias="class")]
    keep_years: int | None = Field(default=None, ge=1, le=200)
    preserve: bool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def keep_or_preserve(self) -> Retention:
        if (self.keep_years is None) == (not self.preserve):
            raise ValueError("retention either keeps for 'keep_years' or says 'preserve: true'")
        return self


class Process(Strict):
    initial: Annotated[str, Field(pattern=IDENTIFIER)]
    states: Annotated[list[State], Field(min_length=2)]
    transitions: Annotated[list[Transition], Field(min_length=1)]
    clock: Clock | None = None
    fee: Fee | None = None
    decisions: Decisions
    retention: Retention
    secrecy: Secrecy | None = None
    registrar_series: Annotated[str, Field(pattern=r"^[A-ZÅÄÖ]{1,5}$")]

    @model_validator(mode="after")
    def states_are_known(self) -> Process:
        known = {state.id for state in self.states}
        if len(known) != len(self.states):
            raise ValueError("state ids must be unique")
        if self.initial not in known:
            raise ValueError(f"initial state {self.initial!r} is not among the states")
        for transition in self.transitions:
            for name in [*transition.source, transition.target]:
                if name not in known:
                    raise ValueError(f"transition {transition.id!r} names unknown state {name!r}")
        if len({t.id for t in self.transitions}) != len(self.transitions):
            raise ValueError("transition ids must be unique")
        by_id = {state.id: state for state in self.states}
        for transition in self.transitions:
            if transition.does == "decide" and not by_id[transition.target].finished:
                raise ValueError(
                    f"transition {transition.id!r} decides: its state must be finished"
                )
            if transition.does == "answer" and StepActor.APPLICANT not in transition.by:
                raise ValueError(f"transition {transition.id!r} is an answer: 'by' needs sokande")
        if self.clock:
            for name in self.clock.pauses_in:
                if name not in known:
                    raise ValueError(f"the clock pauses in unknown state {name!r}")
        return self


class ServicePackageSpec(Strict):
    code: Annotated[str, Field(pattern=SERVICE_CODE)]
    version: Annotated[str, Field(pattern=VERSION)]
    name: Text
    description: Text
    search_words: dict[Literal["sv", "en"], list[str]]
    offered_by: Annotated[list[OrganisationKind], Field(min_length=1)]
    applicant: Applicant
    loa: Literal[
        "http://id.elegnamnden.se/loa/1.0/loa2",
        "http://id.elegnamnden.se/loa/1.0/loa3",
        "http://id.elegnamnden.se/loa/1.0/loa4",
    ]
    steps: Annotated[list[Step], Field(min_length=1)]
    process: Process
    signing: Signing = Signing()

    @model_validator(mode="after")
    def fields_are_consistent(self) -> ServicePackageSpec:
        seen: list[str] = []
        for step in self.steps:
            for field in step.fields:
                if field.id in seen:
                    raise ValueError(f"field id {field.id!r} is used twice")
                if field.visible_if and field.visible_if.field not in seen:
                    raise ValueError(
                        f"field {field.id!r} depends on {field.visible_if.field!r}, "
                        "which must come before it"
                    )
                seen.append(field.id)
        unit_field = self.process.fee.unit_field if self.process.fee else None
        if unit_field and unit_field not in seen:
            raise ValueError(f"the fee's unit_field {unit_field!r} is not a field")
        return self

    def all_fields(self) -> list[FormField]:
        return [field for step in self.steps for field in step.fields]

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.all_fields() if f.id == field_id), None)


def model_dump(spec: ServicePackageSpec) -> dict[str, Any]:
    """The validated package as plain data, for storing beside an installed version."""
    return spec.model_dump(mode="json", by_alias=True, exclude_none=True)
