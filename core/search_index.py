"""The site's one search service: full text in the database, ranked and paged
in SQL, alike on SQLite (FTS5) and PostgreSQL (full-text search).

Everything searchable has a row in ``core_search_document``: a plugin's own
rows (``origin`` 0), kept up to date by a listener on every session flush of
the models plugins declare with the ``search_kinds`` hook, and the federated
copies of peers' content (``origin`` the peer's id), which federation puts and
removes as it ingests. The directory, LISA, the events calendar, the network
pages and the site search (``/sok``) all ask ``search()``.

Matching is the rule ``core.search.match`` always had: every query word, or
its Swedish Snowball stem, begins a word of the text, so "körs" finds
"körsång" and "spelningar" finds "spelning" (a one-letter word matches only
itself). Both databases index the same
tokens (``core.search.index_text``: each word and its stem) with a prefix
query, FTS5's ``"körs"*`` and PostgreSQL's ``'körs':*`` over a ``'simple'``
``tsvector`` (the stems are already Snowball's Swedish ones, the algorithm
behind PostgreSQL's ``'swedish'`` configuration), so they find the same rows.
Ranking is portable too: a hit whose title has every query word comes first,
then Swedish name order, so both databases give the same page.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine, Integer, bindparam, delete, event, insert, literal_column, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from core.models import SearchDocument
from core.search import index_text, stem, words

if TYPE_CHECKING:
    from core.site import Site

MAX_TERMS = 10
#: The shortest query word matched as the start of longer words.
MIN_PREFIX = 2
#: Longer query words are cut here (a prefix of the word still finds it).
MAX_TERM = 60
_SORT_FOLD = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}"})
Order = Literal["rank", "name", "newest"]


def sort_key(name: str) -> str:
    """Swedish name order as a string that sorts byte by byte and the same
    under any database collation: case-insensitive, å ä ö after z, hex-encoded."""
    return name.casefold().translate(_SORT_FOLD).encode()[:150].hex()


@dataclass(frozen=True)
class Document:
    """What the search shows and matches of one row. ``search_text`` is the
    row's ``index_text(...)`` value (a plugin usually keeps it in its own
    ``search_text`` column); ``title`` ranks: a hit in it comes first."""

    title: str
    url: str
    search_text: str
    summary: str = ""
    published: datetime | None = None
    #: A short line of facts under the title ("Idrott · Karlskoga").
    meta: str = ""


@dataclass(frozen=True)
class SearchKind:
    """A kind of content in the site search, from the ``search_kinds`` hook.

    ``name`` is the kind's federated name when it has one (``members``,
    ``news``, ``events``, ``help``), so a site's own rows and its peers'
    copies are one kind; ``label`` a msgid (mark it with ``N_``), plural.
    ``model`` and ``describe`` index the plugin's own rows: on every flush
    core calls ``describe(site, row)`` for each new or changed row of
    ``model`` and stores what it returns, or drops the row from the search when
    it returns None (not public); a deleted row is dropped. Rows are keyed by
    their primary key. A kind without a model is only a label (a kind that
    arrives from peers)."""

    name: str
    label: str
    model: type[Any] | None = None
    describe: Callable[[Site, Any], Document | None] | None = None


@dataclass(frozen=True)
class Hit:
    kind: str
    #: 0 for the site's own content, else the peer's id (federation).
    origin: int
    origin_name: str
    origin_url: str
    ref: str
    title: str
    summary: str
    url: str
    published: datetime | None
    meta: str


@dataclass(frozen=True)
class Found:
    """One page of hits, ``total`` of them in all over ``pages`` pages;
    ``kinds`` and ``origins`` count every hit of the query per kind and per
    origin before those filters (for the filter choices)."""

    hits: list[Hit]
    total: int
    page: int
    pages: int
    kinds: dict[str, int] = field(default_factory=dict)
    origins: dict[int, int] = field(default_factory=dict)
    #: The name of each origin counted in ``origins`` (empty for the site itself).
    origin_names: dict[int, str] = field(default_factory=dict)


# -- which site owns an engine, and its kinds ----------------------------------------------------

_sites: weakref.WeakKeyDictionary[Engine, Site] = weakref.WeakKeyDictionary()
_kinds: weakref.WeakKeyDictionary[Site, dict[str, SearchKind]] = weakref.WeakKeyDictionary()


def attach(site: Site, engine: Engine) -> None:
    """Index the site's own rows as sessions on ``engine`` flush them."""
    _sites[engine] = site


def kinds(site: Site) -> dict[str, SearchKind]:
    """The site's search kinds by name (the first plugin to claim a name keeps it)."""
    found = _kinds.get(site)
    if found is None:
        from core.plugins import collect

        found = {}
        for kind in collect(site.pm, "search_kinds", site=site):
            found.setdefault(kind.name, kind)
        _kinds[site] = found
    return found


def _models(site: Site) -> dict[type[Any], SearchKind]:
    return {k.model: k for k in kinds(site).values() if k.model is not None and k.describe is not None}


def _ref(row: Any) -> str | None:
    """The row's primary key as text (set by the flush, before ``identity`` is)."""
    key = sa_inspect(row).mapper.primary_key_from_instance(row)
    return None if any(part is None for part in key) else "-".join(str(part) for part in key)


def _values(
    kind: str, origin: int, ref: str, document: Document, origin_name: str = "", origin_url: str = ""
) -> dict[str, Any]:
    return {
        "kind": kind,
        "origin": origin,
        "origin_name": origin_name[:200],
        "origin_url": origin_url[:500],
        "ref": ref[:500],
        "title": document.title[:300],
        "summary": document.summary[:1000],
        "meta": document.meta[:300],
        "url": document.url[:1000],
        "sort_key": sort_key(document.title),
        "published": _aware(document.published),
        "search_text": document.search_text,
        "title_text": index_text(document.title),
    }


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


_TABLE = SearchDocument.__table__  # type: ignore[attr-defined]


def _write(connection: Any, kind: str, origin: int, rows: dict[str, dict[str, Any] | None]) -> None:
    refs = list(rows)
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        connection.execute(
            delete(_TABLE).where(_TABLE.c.kind == kind, _TABLE.c.origin == origin, _TABLE.c.ref.in_(chunk))
        )
    values = sorted((v for v in rows.values() if v is not None), key=lambda v: str(v["ref"]))
    if values:
        connection.execute(_upsert(connection.dialect.name), values)


@functools.cache
def _upsert(dialect: str) -> Any:
    """INSERT (built once per dialect) that replaces a row of the same (kind, origin, ref). On
    PostgreSQL two transactions can both delete nothing and then insert the
    same document (a peer's item pushed while the poller ingests it: seven
    unique violations in bench/soak.py); the second now waits for the first
    and updates its row. Rows go in ref order, so two writers lock alike."""
    from sqlalchemy.dialects import postgresql, sqlite

    if dialect not in ("postgresql", "sqlite"):
        return insert(_TABLE)
    statement: Any = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    keys = {"kind", "origin", "ref"}
    replaced = {c.name: statement.excluded[c.name] for c in _TABLE.columns if c.name not in keys and not c.primary_key}
    return statement.on_conflict_do_update(index_elements=sorted(keys), set_=replaced)


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _context: Any) -> None:
    bind = session.bind
    site = _sites.get(bind) if isinstance(bind, Engine) else None
    if site is None:
        return
    models = _models(site)
    if not models:
        return
    changed: dict[str, dict[str, dict[str, Any] | None]] = {}
    for row in [*session.new, *session.dirty]:
        kind = models.get(type(row))
        ref = _ref(row) if kind is not None else None
        if kind is None or ref is None or kind.describe is None:
            continue
        document = kind.describe(site, row)
        changed.setdefault(kind.name, {})[ref] = None if document is None else _values(kind.name, 0, ref, document)
    for row in session.deleted:
        kind = models.get(type(row))
        ref = _ref(row) if kind is not None else None
        if kind is not None and ref is not None:
            changed.setdefault(kind.name, {})[ref] = None
    if changed:
        connection = session.connection()
        for name, rows in changed.items():
            _write(connection, name, 0, rows)


# -- putting documents in ------------------------------------------------------------------------


def put(
    session: Session,
    kind: str,
    documents: dict[str, Document | None],
    *,
    origin: int = 0,
    origin_name: str = "",
    origin_url: str = "",
) -> None:
    """Store ``documents`` (by ref; None removes one) of ``kind`` from
    ``origin``: federation calls this for peers' copies as they arrive."""
    rows = {
        ref: None if doc is None else _values(kind, origin, ref, doc, origin_name, origin_url)
        for ref, doc in documents.items()
    }
    _write(session.connection(), kind, origin, rows)


def rebuild(site: Site, session: Session, only: Iterable[str] | None = None) -> int:
    """Index every own row of every kind (or of the kinds named in ``only``)
    anew; returns how many are searchable. ``paraply migrate`` runs it when
    the index is new, and for kinds new to it (``index_new_kinds``)."""
    from sqlmodel import select

    wanted = None if only is None else set(only)
    count = 0
    for kind in kinds(site).values():
        if kind.model is None or kind.describe is None or (wanted is not None and kind.name not in wanted):
            continue
        rows: dict[str, Document | None] = {}
        for row in session.exec(select(kind.model)).all():
            ref = _ref(row)
            if ref is not None:
                rows[ref] = kind.describe(site, row)
        session.connection().execute(delete(_TABLE).where(_TABLE.c.kind == kind.name, _TABLE.c.origin == 0))
        put(session, kind.name, rows)
        count += sum(1 for d in rows.values() if d is not None)
    return count


def index_new_kinds(site: Site, session: Session) -> list[str]:
    """Index the own rows of each kind that has rows but none of them in the
    index: a plugin that began to put its content in the index after the
    site's index was made (LISA's services). Later, the flush listener keeps
    them up to date. A kind whose rows are all not public is read again each
    time. Returns the kinds indexed; ``paraply migrate`` runs it."""
    from sqlalchemy import literal, select

    connection = session.connection()
    new = []
    for kind in kinds(site).values():
        if kind.model is None or kind.describe is None:
            continue
        indexed = select(_TABLE.c.id).where(_TABLE.c.kind == kind.name, _TABLE.c.origin == 0).limit(1)
        if connection.execute(indexed).first() is not None:
            continue
        if connection.execute(select(literal(1)).select_from(kind.model).limit(1)).first() is not None:
            new.append(kind.name)
    if new:
        rebuild(site, session, only=new)
    return new


def is_empty(session: Session) -> bool:
    return session.connection().execute(text("SELECT 1 FROM core_search_document LIMIT 1")).first() is None


# -- asking --------------------------------------------------------------------------------------


def _terms(query: str) -> list[list[str]]:
    """Each word of the query with its stem, the variants any of which may
    match. A variant that starts with another one matched as a prefix is
    left out ("körs" beside "kör"): it finds nothing more, and each variant
    is one more prefix lookup in the full-text index."""
    groups = []
    for term in words(query)[:MAX_TERMS]:
        variants = sorted({t[:MAX_TERM] for t in (term, stem(term)) if t})
        groups.append([v for v in variants if not any(o != v and _star(o, "*") and v.startswith(o) for o in variants)])
    return groups


def _star(variant: str, star: str) -> str:
    """A word of one letter ("ö", "k") is matched whole, not as the start of
    every word with that letter: that would match a third of everything."""
    return star if len(variant) >= MIN_PREFIX else ""


def _fts5(terms: list[list[str]], column: str) -> str:
    groups = " AND ".join("(" + " OR ".join(f'"{v}"{_star(v, "*")}' for v in variants) + ")" for variants in terms)
    return f"{{{column}}} : ({groups})"


def _tsquery(terms: list[list[str]]) -> str:
    return " & ".join("(" + " | ".join(f"'{v}'{_star(v, ':*')}" for v in variants) + ")" for variants in terms)


def _where(dialect: str, terms: list[list[str]], params: dict[str, Any]) -> tuple[str, str, str]:
    """The FROM clause (documents as ``d``), the match condition and the rank
    expression (1: the title has every word). SQLite's is driven by the FTS5
    table, so only matching rows are read."""
    table = "core_search_document d"
    if not terms:
        return table, "1 = 1", "0"
    if dialect == "sqlite":
        params["q"], params["tq"] = _fts5(terms, "search_text"), _fts5(terms, "title_text")
        return (
            # CROSS JOIN: SQLite reads the matches first, never one MATCH per row.
            "search_fts CROSS JOIN core_search_document d ON d.id = search_fts.rowid",
            "search_fts MATCH :q",
            "CASE WHEN d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :tq) THEN 1 ELSE 0 END",
        )
    params["q"] = _tsquery(terms)
    return (
        table,
        "to_tsvector('simple'::regconfig, d.search_text) @@ to_tsquery('simple'::regconfig, :q)",
        "CASE WHEN d.id IN (SELECT t.id FROM core_search_document t WHERE"
        " to_tsvector('simple'::regconfig, t.title_text) @@ to_tsquery('simple'::regconfig, :q)) THEN 1 ELSE 0 END",
    )


_HIT_COLUMNS = ("kind", "origin", "origin_name", "origin_url", "ref", "title", "summary", "url", "published", "meta")
# The page's order, over the documents (``d``, ``rank`` computed beside
# them) and again over the page (``p``).
_ORDER = {
    "rank": "{rank} DESC, {t}.sort_key, {t}.origin, {t}.ref",
    "name": "{t}.sort_key, {t}.origin, {t}.ref",
    "newest": "CASE WHEN {t}.published IS NULL THEN 1 ELSE 0 END, {t}.published DESC,"
    " {t}.sort_key, {t}.origin, {t}.ref",
}


def search(
    session: Session,
    query: str,
    *,
    kinds: Sequence[str] = (),
    origins: Iterable[int] | None = None,
    page: int = 1,
    per_page: int = 20,
    order: Order = "rank",
    facets: bool = False,
) -> Found:
    """One page of what matches ``query`` (every word or its stem as a word
    prefix; an empty query matches everything), among ``kinds`` (all when
    empty) from ``origins`` (0 is the site itself; all when None).
    ``order``: ``rank`` (title hits first, then name), ``name`` (Swedish name
    order) or ``newest``. ``facets`` also counts hits per kind and origin.

    The count and the page are one statement, so they agree even while
    federation stores copies (as two, a page said "1 träff" and listed
    two). A second statement only when ``page`` is past the last page."""
    connection = session.connection()
    params: dict[str, Any] = {}
    table, match, rank = _where(connection.dialect.name, _terms(query), params)
    if order != "rank":
        rank = "0"
        params.pop("tq", None)
    wanted_kinds = list(kinds)
    wanted_origins = None if origins is None else sorted(set(origins))

    def filters(t: str) -> str:
        found = f" AND {t}.kind IN :kinds" if wanted_kinds else ""
        return found + (f" AND {t}.origin IN :origins" if wanted_origins is not None else "")

    if wanted_kinds:
        params["kinds"] = wanted_kinds
    if wanted_origins is not None:
        params["origins"] = wanted_origins or [-1]
    columns = ", ".join(f"d.{name}" for name in _HIT_COLUMNS)
    page_order = _ORDER[order].format(t="p", rank="p.rank")
    if "q" in params:
        # Words: the matches are found once, with the few columns the
        # counts and the order need, and only the page's rows are read
        # whole (as two scans of 17,000 matches for "körs", 38 ms on
        # PostgreSQL; now 26). Not for the empty query, whose page and
        # count each have an index of their own.
        matches = (
            "WITH m AS MATERIALIZED (SELECT d.id AS id, d.kind AS kind, d.origin AS origin,"
            f" d.origin_name AS origin_name, d.sort_key AS sort_key, d.ref AS ref, d.published AS published,"
            f" {rank} AS rank FROM {table} WHERE {match}{'' if facets else filters('d')}) "
        )
        source, grouped = "m", "m"
        page_rows = (
            f"(SELECT m.id, m.rank, m.sort_key, m.origin, m.ref, m.published FROM m WHERE 1 = 1"
            f"{filters('m') if facets else ''} ORDER BY {_ORDER[order].format(t='m', rank='m.rank')}"
            " LIMIT :limit OFFSET :offset) p JOIN core_search_document d ON d.id = p.id"
        )
    else:
        matches, source, grouped = "", f"{table} WHERE {match}", "d"
        page_rows = (
            f"(SELECT {columns}, d.sort_key, {rank} AS rank FROM {table} WHERE {match}{filters('d')}"
            f" ORDER BY {_ORDER[order].format(t='d', rank='rank')} LIMIT :limit OFFSET :offset) p"
        )
    if facets:
        counts = (
            f"SELECT {grouped}.kind AS kind, {grouped}.origin AS origin, {grouped}.origin_name AS origin_name,"
            f" count(*) AS n FROM {source} GROUP BY {grouped}.kind, {grouped}.origin, {grouped}.origin_name"
        )
    elif matches:
        counts = "SELECT '' AS kind, 0 AS origin, '' AS origin_name, count(*) AS n FROM m"
    else:
        counts = f"SELECT '' AS kind, 0 AS origin, '' AS origin_name, count(*) AS n FROM {source}{filters('d')}"
    # A hit's columns: from the documents joined to the page, or from the page itself.
    alias = "d" if matches else "p"

    def hit(names: Sequence[str]) -> str:
        return ", ".join(f"{alias}.{name}" for name in names)

    statement = text(
        # The counts (part 0), then the page in its order (part 1).
        f"{matches}SELECT 0 AS part, 0 AS pos, c.kind, c.origin, c.origin_name, c.n, NULL AS origin_url,"
        " NULL AS ref, NULL AS title, NULL AS summary, NULL AS url, NULL AS published, NULL AS meta"
        f" FROM ({counts}) c UNION ALL SELECT 1, row_number() OVER (ORDER BY {page_order}),"
        f" {hit(_HIT_COLUMNS[:3])}, p.rank, {hit(_HIT_COLUMNS[3:])}"
        f" FROM {page_rows} ORDER BY part, pos"
    ).bindparams(*(bindparam(name, expanding=True) for name in ("kinds", "origins") if name in params))
    typed = statement.columns(
        literal_column("part", Integer),
        literal_column("pos", Integer),
        *(_TABLE.c[name] for name in ("kind", "origin", "origin_name")),
        literal_column("n", Integer),
        *(_TABLE.c[name] for name in _HIT_COLUMNS[3:]),
    )
    per_page = max(1, per_page)
    page = max(1, page)

    def run(page: int) -> list[Any]:
        params["limit"], params["offset"] = per_page, (page - 1) * per_page
        return list(connection.execute(typed, params).all())

    rows = run(page)
    by_kind: dict[str, int] = {}
    by_origin: dict[int, int] = {}
    names: dict[int, str] = {}
    total = 0
    for row in rows:
        if row.part:
            break
        if not facets:
            total = row.n
            break
        kind, origin, count = row.kind, row.origin, row.n
        names.setdefault(origin, row.origin_name)
        if wanted_origins is None or origin in wanted_origins:
            by_kind[kind] = by_kind.get(kind, 0) + count
        if not wanted_kinds or kind in wanted_kinds:
            by_origin[origin] = by_origin.get(origin, 0) + count
        if (not wanted_kinds or kind in wanted_kinds) and (wanted_origins is None or origin in wanted_origins):
            total += count
    pages = max(1, -(-total // per_page))
    if page > pages:
        page = pages
        rows = run(page) if total else rows
    hits = [
        Hit(r.kind, r.origin, r.origin_name, r.origin_url, r.ref, r.title, r.summary, r.url, r.published, r.meta)
        for r in rows
        if r.part
    ]
    return Found(hits, total, page, pages, by_kind, by_origin, names)


def matching(session: Session, query: str, kind: str, *, origin: int = 0) -> Any:
    """A common table expression of the documents of ``kind`` from ``origin``
    that match ``query`` (all of them for an empty query), with the columns
    ``ref``, ``row_id`` (``ref`` as an integer: an own row's primary key) and
    ``sort_key``, for a plugin to join to its own table when it
    filters by its own columns too. The directory::

        found = search_matching(db, "körs", "members")
        statement = select(Association).join(found, found.c.row_id == Association.id)
        statement.order_by(found.c.sort_key).limit(20)
    """
    from sqlalchemy import Integer, String

    params: dict[str, Any] = {"kind": kind, "origin": origin}
    table, match, _rank = _where(session.connection().dialect.name, _terms(query), params)
    params.pop("tq", None)
    statement = text(
        "SELECT d.ref AS ref, CAST(d.ref AS INTEGER) AS row_id, d.sort_key AS sort_key"
        f" FROM {table} WHERE d.kind = :kind AND d.origin = :origin AND {match}"
    ).bindparams(**params)
    found = statement.columns(ref=String, row_id=Integer, sort_key=String).cte("search_found")
    # Materialized: the database finds the matches once, then joins them to
    # the plugin's rows (not the other way round, one full-text query per
    # row). Without words, the kind's rows are read in name order instead.
    return found.prefix_with("MATERIALIZED") if "q" in params else found
