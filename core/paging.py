"""Paging of lists, shared by every plugin: ``?sida=N`` in the address, and
links to other pages that keep the list's filters. The ``pager`` macro in
``macros/forms.html`` draws the links."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

from core.params import int_param

PAGE_PARAM = "sida"
#: Higher page numbers are read as page 1 (an offset past 2**63 was a 500).
MAX_PAGE = 10**9

T = TypeVar("T")


def page_number(request: Request) -> int:
    """The page asked for; 1 for anything that is not a positive number."""
    return int_param(request, PAGE_PARAM, 1, minimum=1, maximum=MAX_PAGE) or 1


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill, at least 1 (an empty list is one empty page)."""
    return max(1, math.ceil(total / per_page))


def paged(items: Sequence[T], page: int, per_page: int) -> tuple[list[T], int, int]:
    """One page of ``items``, the page number (clamped) and the page count."""
    pages = page_count(len(items), per_page)
    page = min(page, pages)
    return list(items[(page - 1) * per_page : page * per_page]), page, pages


def page_link(base: str, params: dict[str, str]) -> Callable[[int], str]:
    """A function giving the link to page n that keeps the other filters."""

    def link(n: int) -> str:
        query = {k: v for k, v in params.items() if v}
        if n > 1:
            query[PAGE_PARAM] = str(n)
        return base + ("?" + urlencode(query) if query else "")

    return link
