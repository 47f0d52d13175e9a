"""Does a producer answer as Mina ärenden 6.1 says? (`digigov mycases check-producer`)

It asks a series of questions about one person and checks each answer: the
shape and every field of the events, the correlation id echoed, the parts
answered, sorting, paging, type and date filters, the language, and clear
400s for bad questions. Each check gives a finding; a producer conforms when
none fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pydantic

from digigov.core import outbound
from digigov.mycases import spec

# The standard's kundhandelseTyp: a producer prefix of letters, then at least two parts.
EVENT_TYPE = re.compile(r"^[A-Z]+(?:\.[A-Z0-9_]+){2,}$")
REQUIRED = (
    "kundhandelseId",
    "rubrik",
    "beskrivning",
    "sprak",
    "producent",
    "tidpunkt",
    "kundhandelseTyp",
    "producentarendetKraverKundatgard",
    "producentarendetKlart",
    "version",
)


@dataclass(frozen=True)
class Finding:
    passed: bool
    what: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.passed else 'FAIL'} {self.what}"


class Unreachable(Exception):
    """The producer could not be asked at all."""


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    document: Any  # parsed JSON, or None


class Checker:
    def __init__(
        self, url: str, person: str, headers: dict[str, str], timeout: float = 10.0
    ) -> None:
        self.url = (
            url
            if url.rstrip("/").endswith("kundhandelseFragaSynkron")
            else (url.rstrip("/") + "/kundhandelseFragaSynkron")
        )
        self.person = person
        self.headers = {"X-Road-UserId": f"SE{person}", **headers}
        self.http = outbound.http_client(timeout=timeout)
        self.findings: list[Finding] = []

    def check(self, passed: bool, what: str) -> bool:
        self.findings.append(Finding(passed, what))
        return passed

    def ask(
        self,
        fraga: dict[str, Any],
        *,
        correlation: str | None = None,
        language: str = "sv",
        anvandare: str | None = None,
    ) -> Answer:
        headers = {**self.headers, "Content-Type": "application/json", "Accept-Language": language}
        if correlation is not None:
            headers[spec.CORRELATION_HEADER] = correlation
        body = {"fraga": fraga, "anvandare": anvandare or self.person}
        try:
            response = self.http.post(self.url, content=json.dumps(body).encode(), headers=headers)
        except httpx.HTTPError as error:
            raise Unreachable(f"{self.url} cannot be asked: {error}") from error
        try:
            document = response.json()
        except ValueError:
            document = None
        return Answer(response.status_code, response.headers, document)

    # -- the checks -----------------------------------------------------------------

    def run(self) -> list[Finding]:
        part = {"kund": {"identifierare": self.person, "typ": "Personnummer"}}
        correlation = str(uuid.uuid4())
        first = self.ask({"parter": [part]}, correlation=correlation)
        if not self.check(
            first.status == 200, f"a plain question is answered 200 (got {first.status})"
        ):
            return self.findings
        self.check(
            first.headers.get(spec.CORRELATION_HEADER) == correlation,
            f"the header {spec.CORRELATION_HEADER} is echoed "
            f"(got {first.headers.get(spec.CORRELATION_HEADER)!r})",
        )
        events = self._shape(first.document, [part])
        if events is not None:
            self._events(events)
            if not events:
                self.check(
                    False,
                    f"the person {self.person} has no events at this producer: sorting, paging "
                    "and filters cannot be checked (choose a person with cases, --person)",
                )
            else:
                self._sorting(part)
                self._paging(part, len(events))
                self._types(part, events)
        self._dates(part)
        self._language(part)
        self._bad_questions(part)
        return self.findings

    def _shape(self, document: Any, parts: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if not self.check(isinstance(document, dict), "the answer is a JSON object"):
            return None
        try:
            spec.Response.model_validate(document)
            self.check(True, "the answer has the shape of KundhandelseFragaResponse")
        except pydantic.ValidationError as error:
            for problem in error.errors():
                where = ".".join(str(p) for p in problem["loc"])
                self.check(False, f"the answer's {where}: {problem['msg']}")
            return None
        groups = document["kundhandelser"]
        self.check(
            [g["part"] for g in groups] == parts,
            "kundhandelser has one entry for each part asked, with the part as asked",
        )
        events = [e for g in groups for e in g["kundhandelserForPart"]]
        self.check(
            all(g["totaltAntalKundhandelser"] >= len(g["kundhandelserForPart"]) for g in groups),
            "totaltAntalKundhandelser is at least the number of events given",
        )
        self.check(
            isinstance(document.get("metadata"), dict)
            and document["metadata"].get("parter") == parts,
            "metadata echoes the question's parter",
        )
        return events

    def _events(self, events: list[dict[str, Any]]) -> None:
        missing = {
            name: sum(1 for e in events if name not in e or e[name] in (None, ""))
            for name in REQUIRED
        }
        for name, count in missing.items():
            self.check(
                count == 0, f"every event has {name}" + (f" ({count} without)" if count else "")
            )
        bad_types = [
            e.get("kundhandelseTyp")
            for e in events
            if not EVENT_TYPE.match(str(e.get("kundhandelseTyp", "")))
        ]
        self.check(
            not bad_types,
            "kundhandelseTyp is PREFIX.ARENDETYP.HANDELSETYP"
            + (f" (not: {bad_types[:3]})" if bad_types else ""),
        )
        bad_times = [e.get("tidpunkt") for e in events if not _rfc3339(e.get("tidpunkt"))]
        self.check(
            not bad_times,
            "tidpunkt is RFC 3339 with an offset"
            + (f" (not: {bad_times[:3]})" if bad_times else ""),
        )
        flags = [
            e for e in events
            if not isinstance(e.get("producentarendetKraverKundatgard"), bool)
            or not isinstance(e.get("producentarendetKlart"), bool)
        ]  # fmt: skip
        self.check(not flags, "the two flags are true or false")
        ids = [e.get("kundhandelseId") for e in events]
        self.check(len(ids) == len(set(ids)), "kundhandelseId is unique")
        prefixes = {str(e.get("kundhandelseTyp", "")).split(".")[0] for e in events}
        self.check(
            len(prefixes) <= 1, f"one producer prefix in kundhandelseTyp (got {sorted(prefixes)})"
        )

    def _events_of(
        self, fraga: dict[str, Any], **options: Any
    ) -> tuple[Answer, list[dict[str, Any]]]:
        answer = self.ask(fraga, correlation=str(uuid.uuid4()), **options)
        document = answer.document if isinstance(answer.document, dict) else {}
        events = [
            e for g in document.get("kundhandelser", []) for e in g.get("kundhandelserForPart", [])
        ]
        return answer, events

    def _sorting(self, part: dict[str, Any]) -> None:
        for ascending in (True, False):
            fraga = {
                "parter": [part],
                "behandling": {"sortering": [{"attribut": "TIDPUNKT", "stigande": ascending}]},
            }
            answer, events = self._events_of(fraga)
            times = [_rfc3339(e.get("tidpunkt")) for e in events]
            ordered = all(t is not None for t in times) and times == sorted(
                times, reverse=not ascending
            )  # type: ignore[type-var]
            self.check(
                answer.status == 200 and ordered,
                f"sorting by TIDPUNKT {'rising' if ascending else 'falling'} is honoured",
            )

    def _paging(self, part: dict[str, Any], total: int) -> None:
        order = {"sortering": [{"attribut": "TIDPUNKT", "stigande": True}]}
        answer, events = self._events_of(
            {"parter": [part], "behandling": {**order, "paginering": {"offset": 0, "limit": 1}}}
        )
        groups = (
            answer.document.get("kundhandelser", []) if isinstance(answer.document, dict) else []
        )
        self.check(
            answer.status == 200 and len(events) == min(1, total),
            "paginering limit 1 gives one event",
        )
        self.check(
            bool(groups) and groups[0].get("totaltAntalKundhandelser") == total,
            "totaltAntalKundhandelser counts every match, before paging",
        )
        _answer, beyond = self._events_of(
            {
                "parter": [part],
                "behandling": {**order, "paginering": {"offset": total + 5, "limit": 10}},
            }
        )
        self.check(beyond == [], "an offset past the end gives no events")
        if total >= 2:
            _a, whole = self._events_of({"parter": [part], "behandling": order})
            _b, second = self._events_of(
                {"parter": [part], "behandling": {**order, "paginering": {"offset": 1, "limit": 1}}}
            )
            self.check(
                [e.get("kundhandelseId") for e in second]
                == [e.get("kundhandelseId") for e in whole[1:2]],
                "offset 1 limit 1 gives the second event of the sorted whole",
            )

    def _types(self, part: dict[str, Any], events: list[dict[str, Any]]) -> None:
        prefix = ".".join(str(events[0].get("kundhandelseTyp", "")).split(".")[:2])
        _answer, matched = self._events_of({"parter": [part], "kundhandelseTyper": [prefix]})
        self.check(
            bool(matched)
            and all(str(e.get("kundhandelseTyp", "")).startswith(prefix + ".") for e in matched),
            f"kundhandelseTyper {prefix!r} gives only the types under it",
        )
        _answer, none = self._events_of(
            {"parter": [part], "kundhandelseTyper": ["ZZZNOTAPRODUCER"]}
        )
        self.check(none == [], "kundhandelseTyper of another producer gives no events")

    def _dates(self, part: dict[str, Any]) -> None:
        future = (dt.date.today() + dt.timedelta(days=366)).isoformat()
        answer, events = self._events_of({"parter": [part], "startDatum": future})
        self.check(answer.status == 200 and events == [], "startDatum a year ahead gives no events")

    def _language(self, part: dict[str, Any]) -> None:
        answer, _events = self._events_of({"parter": [part]}, language="en")
        document = answer.document if isinstance(answer.document, dict) else {}
        self.check(
            answer.status == 200
            and document.get("metadata", {}).get("onskatSprak") in ("en", "sv"),
            "metadata.onskatSprak says the language answered for",
        )

    def _bad_questions(self, part: dict[str, Any]) -> None:
        cases: list[tuple[str, dict[str, Any], Callable[[], Answer] | None]] = [
            ("a malformed startDatum", {"parter": [part], "startDatum": "2026-13-45"}, None),
            (
                "startDatum after slutDatum",
                {"parter": [part], "startDatum": "2026-09-30", "slutDatum": "2026-09-01"},
                None,
            ),
            (
                "paging without sorting",
                {"parter": [part], "behandling": {"paginering": {"offset": 0, "limit": 5}}},
                None,
            ),
            ("no parter", {"parter": []}, None),
            (
                "a question without the correlation header",
                {"parter": [part]},
                lambda: self.ask({"parter": [part]}),
            ),
        ]
        for what, fraga, asked in cases:
            answer = asked() if asked else self.ask(fraga, correlation=str(uuid.uuid4()))
            message = answer.document.get("message") if isinstance(answer.document, dict) else None
            self.check(
                answer.status == 400 and isinstance(message, str) and bool(message),
                f"{what} is answered 400 with a message (got {answer.status}{', no message' if not message else ''})",
            )

    def close(self) -> None:
        self.http.close()


def _rfc3339(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_producer(
    url: str, *, person: str, headers: dict[str, str], timeout: float = 10.0
) -> Iterator[Finding]:
    checker = Checker(url, person, headers, timeout)
    try:
        yield from checker.run()
    finally:
        checker.close()
