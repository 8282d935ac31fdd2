"""Swedish mobile numbers, normalised so that "070-123 45 67", "0701234567"
and "+46 70 123 45 67" are one number, stored as "+46701234567"."""

from __future__ import annotations

import re

from core.api import gettext as _

_JUNK = re.compile(r"[\s\-().]")


class PhoneError(ValueError):
    """Why a number was refused, in the request's language, for the form."""


def normalise(raw: str) -> str:
    """The number in international form, or ``PhoneError``."""
    number = _JUNK.sub("", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if number.startswith("0"):
        number = "+46" + number[1:]
    if not re.fullmatch(r"\+\d{8,15}", number):
        raise PhoneError(_("Skriv mobilnumret med siffror, till exempel 070-123 45 67."))
    if number.startswith("+46") and not number.startswith("+467"):
        raise PhoneError(_("Det ser inte ut som ett mobilnummer. Svenska mobilnummer börjar med 07."))
    return number


def maybe_normalise(raw: str) -> str | None:
    """A normalised number if ``raw`` looks like one, else None (for a search
    box that takes either a number or a name)."""
    try:
        return normalise(raw)
    except PhoneError:
        return None


def display(number: str) -> str:
    """+46701234567 -> 070-123 45 67, as Swedes write it."""
    if number.startswith("+46") and len(number) == 12:
        local = "0" + number[3:]
        return f"{local[:3]}-{local[3:6]} {local[6:8]} {local[8:]}"
    return number


def masked(number: str) -> str:
    """For pages a borrower sees: only the last digits."""
    shown = display(number)
    return "•" * max(0, len(shown) - 4) + shown[-4:] if shown else ""
