"""Template filters for texts that come in Swedish and English."""

from __future__ import annotations

from typing import Any

from django import template

from digigov.services.presentation import localised

register = template.Library()


@register.filter
def tr(text: Any) -> str:
    """Pick the current language from a {sv, en} text (a package's Text or a dict)."""
    return localised(text)


@register.filter
def kronor(amount: Any) -> str:
    """12345.5 -> '12 345,50 kr'."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return ""
    whole = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"{whole.removesuffix(',00')} kr"


@register.filter
def registrar_format(number: str) -> str:
    """Show a personnummer or organisationsnummer with its hyphen."""
    if len(number) == 12:
        return f"{number[:8]}-{number[8:]}"
    if len(number) == 10:
        return f"{number[:6]}-{number[6:]}"
    return number
