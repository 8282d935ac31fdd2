"""Search text for Swedish that behaves the same on SQLite and PostgreSQL.

SQLite's LIKE folds case for ASCII only ("ÖREBRO" would not find "örebro")
and the two databases' full-text engines differ, so each searchable row keeps
a ``search_text`` column: its words case-folded, plus their Swedish Snowball
stems. A query matches when every query word (or its stem) occurs as the
start of a word in it. Written here because no library offers portable,
Swedish-aware matching across both databases.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer
from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    """One stemmer per thread: a snowballstemmer object keeps the word being
    stemmed in its own fields, so two threads sharing one (federation ingests
    in worker threads) corrupt each other's words (IndexError)."""
    found = getattr(_local, "stemmer", None)
    if found is None:
        found = _local.stemmer = snowballstemmer.stemmer("swedish")
    return found


def words(text: str) -> list[str]:
    """Case-folded words, in NFC so 'ö' typed either way is one letter."""
    text = unicodedata.normalize("NFC", text).casefold()
    return _WORD.findall(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Cached: stemming is the bulk of indexing, and words repeat (federation
    indexes thousands of received entries at a time)."""
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


def index_text(*parts: str | None) -> str:
    """The ``search_text`` value for a row made of ``parts``: each word and,
    when it differs, its stem, separated and bounded by spaces."""
    tokens: list[str] = []
    seen: set[str] = set()
    for part in parts:
        for word in words(part or ""):
            for token in (word, stem(word)):
                if token not in seen:
                    seen.add(token)
                    tokens.append(token)
    return " " + " ".join(tokens) + " "


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def match(column: SQLColumnExpression[str], query: str) -> ColumnElement[bool] | None:
    """A WHERE clause matching rows whose ``search_text`` has every word of
    ``query`` (each word or its stem as a word prefix), or None for an empty
    query."""
    terms = words(query)
    if not terms:
        return None
    clauses = []
    for term in terms[:10]:
        variants = {term, stem(term)}
        clauses.append(or_(*(column.like(f"% {_escape_like(v)}%", escape="\\") for v in variants if v)))
    return and_(*clauses)
