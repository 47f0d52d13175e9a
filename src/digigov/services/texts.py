"""A package's texts, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def localised(text: Any) -> str:
    """Pick the current language from a {sv, en} text (a package's Text or a dict)."""
    if text is None:
        return ""
    language = "en" if (get_language() or "sv").startswith("en") else "sv"
    if isinstance(text, dict):
        return str(text.get(language) or text.get("sv") or "")
    return str(getattr(text, language, "") or getattr(text, "sv", ""))
