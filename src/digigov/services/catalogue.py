"""Reading installed services: their parsed specs, and search in plain words."""

from __future__ import annotations

import bisect
import re
import unicodedata

from digigov.services.models import ServiceVersion
from digigov.services.spec import ServicePackageSpec

# Light Swedish stemming: enough that "bygga" finds "bygglov" and "garaget" finds
# "garage", without a dictionary. Longest endings first.
_ENDINGS = (
    "arna",
    "erna",
    "orna",
    "ande",
    "ende",
    "aste",
    "are",
    "ar",
    "er",
    "or",
    "en",
    "et",
    "na",
    "a",
    "e",
)
_WORD = re.compile(r"[\wåäöÅÄÖ]+")
_MINIMUM_STEM = 3


def words(text: str) -> list[str]:
    normal = unicodedata.normalize("NFC", text.lower())
    return _WORD.findall(normal)


def stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MINIMUM_STEM:
            return word[: -len(ending)]
    return word


def search_text(spec: ServicePackageSpec) -> str:
    parts = [
        spec.code,
        spec.name.sv,
        spec.name.en,
        spec.description.sv,
        spec.description.en,
        *spec.search_words.get("sv", []),
        *spec.search_words.get("en", []),
    ]
    return " ".join(sorted({stem(word) for part in parts for word in words(part)}))


def tokens(text: str) -> tuple[str, ...]:
    """A service's search words, sorted so prefixes are found by bisection."""
    return tuple(sorted(set(text.split())))


def score(query_stems: list[str], sorted_tokens: tuple[str, ...]) -> int:
    """How many of the query's words the service matches (a query word matches a prefix)."""
    matched = 0
    for stem_ in query_stems:
        at = bisect.bisect_left(sorted_tokens, stem_)
        if at < len(sorted_tokens) and sorted_tokens[at].startswith(stem_):
            matched += 1
    return matched


def query_stems(query: str) -> list[str]:
    return [stem(word) for word in words(query) if len(word) >= 2][:10]


_parsed: dict[tuple[int, str], ServicePackageSpec] = {}


def spec_of(version: ServiceVersion) -> ServicePackageSpec:
    """The parsed spec of an installed version.

    Cached per row: an installed version never changes (a change is a new version).
    The install time is in the key so a reused primary key cannot hit a stale entry.
    """
    key = (version.pk, version.installed_at.isoformat())
    parsed = _parsed.get(key)
    if parsed is None:
        if len(_parsed) > 2048:
            _parsed.clear()
        parsed = _parsed[key] = ServicePackageSpec.model_validate(version.spec)
    return parsed
