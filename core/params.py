"""Typed request parameters: numbers in paths and query strings that can
never reach the database out of range.

Ids are ``INTEGER`` columns: 64-bit on SQLite, but 32-bit on PostgreSQL. A
path such as ``/nyheter/99999999999999999999`` reached ``session.get`` as a
Python int that SQLite's driver cannot bind (``OverflowError``), and
``/fritidsbanken/admin/artiklar/2147483648`` one that PostgreSQL refuses
(``integer out of range``): both a 500. Starlette's ``int`` convertor
matches any run of digits, and a convertor cannot refuse a value once its
pattern matched (an exception there is a 500 too), so the bound is in the
pattern: ``{x:id}`` matches 1 to 9 digits, at most 10^9 - 1, inside the
32-bit range. Anything else (longer numbers, a minus sign) matches no
route: 404.

Importing core registers ``id`` and replaces Starlette's ``int`` with the
same bounded convertor, so a plugin that still writes ``{x:int}`` is safe
as well. Query strings go through ``query_int`` (a value that is there
but no usable number is refused with 400 and a plain message) or, where a
default reads better than a refusal (a page number past the last page),
``int_param``.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request

from core.i18n import gettext as _

#: The largest id a path may name (9 digits): below 2**31 - 1, PostgreSQL's INTEGER limit.
MAX_ID = 10**9 - 1
#: Integers from query strings and forms stay within what an INTEGER column holds on both databases.
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)


class IdConvertor(Convertor[int]):
    """A row id in a path: 1 to 9 digits, no sign."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        value = int(value)
        if not 0 <= value <= MAX_ID:
            raise ValueError(f"{value} is not an id")
        return str(value)


ID = IdConvertor()
register_url_convertor("id", ID)
register_url_convertor("int", ID)


def int_param(
    request: Request,
    name: str,
    default: int | None = None,
    *,
    minimum: int = INT_MIN,
    maximum: int = INT_MAX,
) -> int | None:
    """The query parameter ``name`` as an int, or ``default`` when it is
    missing, not a plain decimal number (20 digits at most) or outside
    ``minimum``..``maximum``. Never raises."""
    return parse_int(request.query_params.get(name), default, minimum=minimum, maximum=maximum)


def query_int(request: Request, name: str, *, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """The query parameter ``name`` as an int, or None when it is missing or
    empty; any other value that is not a plain decimal number within
    ``minimum``..``maximum`` is refused: 400, with a message that says so
    (a filter that quietly fell away would show a list the visitor did
    not ask for)."""
    raw = request.query_params.get(name, "")
    if not raw.strip():
        return None
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise HTTPException(400, _("Adressen har ett värde som inte går att använda (%(name)s).") % {"name": name[:40]})
    return value


def parse_int(raw: object, default: int | None = None, *, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """``int_param`` for a value already in hand (a form field, a header)."""
    if not isinstance(raw, str):
        return default
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or len(digits) > 20 or not digits.isascii() or not digits.isdigit():
        return default
    value = int(text)
    return value if minimum <= value <= maximum else default
