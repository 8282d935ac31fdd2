"""The small value types that plugins return from hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation or on the admin overview."""

    label: str
    url: str
    order: int = 50
    description: str = ""


@dataclass(frozen=True)
class Block:
    """A front-page block: a template rendered with its own context."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class SearchResult:
    """One hit in the site-wide search."""

    title: str
    url: str
    summary: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Figure:
    """One figure in the follow-up report."""

    label: str
    value: int | float
    unit: str = ""
    plugin: str = ""
