"""Statistics for any period: loans per month, category, branch and age
group, unique borrowers, the most borrowed items and the share never
returned. Counted in the database (grouped queries on indexed columns), so a
year of a busy branch is a handful of queries, not a loop over loans.

A loan belongs to the period it was checked out in. "Never returned" means
still out ``lost_after_days`` after its due day. Unique borrowers are counted
by the loans' anonymous tags, so the figures stay right after old borrowers'
personal data is deleted.

``compute`` gives labels in Swedish, the site's language (the CSV and the
stored age groups use them); pages translate them with ``shown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from core.api import N_, Figure, Site
from core.api import gettext as _
from plugins.fritidsbanken.lending import AGE_GROUPS, UNKNOWN_AGE
from plugins.fritidsbanken.models import Branch, Item, ItemStatus, Loan

PLUGIN = "fritidsbanken"
#: A month and its year, short (Swedish msgids; ``month_label`` translates).
MONTHS = [
    N_("jan %(year)s"),
    N_("feb %(year)s"),
    N_("mar %(year)s"),
    N_("apr %(year)s"),
    N_("maj %(year)s"),
    N_("jun %(year)s"),
    N_("jul %(year)s"),
    N_("aug %(year)s"),
    N_("sep %(year)s"),
    N_("okt %(year)s"),
    N_("nov %(year)s"),
    N_("dec %(year)s"),
]


@dataclass
class Stats:
    start: date
    end: date
    loans: int = 0
    unique_borrowers: int = 0
    returned: int = 0
    never_returned: int = 0
    new_items: int = 0
    items_in_catalogue: int = 0
    per_month: list[tuple[str, int]] = field(default_factory=list)
    per_category: list[tuple[str, int]] = field(default_factory=list)
    per_branch: list[tuple[str, int]] = field(default_factory=list)
    per_age_group: list[tuple[str, int]] = field(default_factory=list)
    borrowers_per_age_group: list[tuple[str, int]] = field(default_factory=list)
    top_items: list[tuple[str, int]] = field(default_factory=list)

    @property
    def never_returned_share(self) -> float:
        """Percent of the period's loans never returned, one decimal."""
        return round(100 * self.never_returned / self.loans, 1) if self.loans else 0.0


def month_label(year: int, month: int, translate: bool = True) -> str:
    """ "mar 2026" in Swedish, "Mar 2026" in English (``translate=False``: Swedish always)."""
    label = MONTHS[month - 1]
    return (_(label) if translate else label) % {"year": year}


def _bounds(site: Site, start: date, end: date):  # type: ignore[no-untyped-def]
    return site.clock.day_start(start), site.clock.day_start(end + timedelta(days=1))


def month_keys(start: date, end: date) -> list[tuple[int, int]]:
    keys = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def _month_of_loan(site: Site, start: date, end: date):  # type: ignore[no-untyped-def]
    """'YYYY-MM' of the local month a loan was checked out in. The months are
    the site's, like the period's days: a loan at 00:30 on 1 March is March's,
    though it is still February in UTC. A CASE over the months' bounds, since
    SQLite has no time zones."""
    loaned = col(Loan.out_at)
    return case(
        *[
            (
                and_(loaned >= site.clock.day_start(date(y, m, 1)), loaned < site.clock.day_start(_next_month(y, m))),
                f"{y:04d}-{m:02d}",
            )
            for y, m in month_keys(start, end)
        ],
        else_="",
    )


def compute(session: Session, site: Site, start: date, end: date) -> Stats:
    settings = site.plugin_settings(PLUGIN)
    since, until = _bounds(site, start, end)
    in_period = (col(Loan.out_at) >= since, col(Loan.out_at) < until)
    stats = Stats(start, end)
    stats.loans = int(session.exec(select(func.count()).select_from(Loan).where(*in_period)).one())
    stats.unique_borrowers = int(
        session.exec(select(func.count(func.distinct(Loan.borrower_tag))).where(*in_period)).one()
    )
    stats.returned = int(
        session.exec(select(func.count()).select_from(Loan).where(*in_period, col(Loan.returned_at).is_not(None))).one()
    )
    lost_before = site.clock.today() - timedelta(days=settings.lost_after_days)
    stats.never_returned = int(
        session.exec(
            select(func.count())
            .select_from(Loan)
            .where(*in_period, col(Loan.returned_at).is_(None), col(Loan.due_on) < lost_before)
        ).one()
    )
    stats.new_items = int(
        session.exec(
            select(func.count()).select_from(Item).where(col(Item.created_at) >= since, col(Item.created_at) < until)
        ).one()
    )
    stats.items_in_catalogue = int(
        session.exec(select(func.count()).select_from(Item).where(Item.status != ItemStatus.RETIRED)).one()
    )

    # Grouped in a subquery: PostgreSQL would not match a GROUP BY of the CASE's own parameters.
    months = select(_month_of_loan(site, start, end).label("month")).where(*in_period).subquery()
    by_month = dict(session.exec(select(months.c.month, func.count()).group_by(months.c.month)).all())
    stats.per_month = [
        (month_label(y, m, translate=False), int(by_month.get(f"{y:04d}-{m:02d}", 0)))
        for y, m in month_keys(start, end)
    ]
    stats.per_category = [
        (c, int(n))
        for c, n in session.exec(
            select(Item.category, func.count())
            .select_from(Loan)
            .join(Item, col(Item.id) == col(Loan.item_id))
            .where(*in_period)
            .group_by(col(Item.category))
            .order_by(func.count().desc(), col(Item.category))
        ).all()
    ]
    names = {b.id: b.name for b in session.exec(select(Branch)).all()}
    by_branch = dict(
        session.exec(select(Loan.branch_id, func.count()).where(*in_period).group_by(col(Loan.branch_id))).all()
    )
    stats.per_branch = sorted(((names.get(b, "?"), int(n)) for b, n in by_branch.items()), key=lambda r: (-r[1], r[0]))
    order = [label for _, _, label in AGE_GROUPS] + [UNKNOWN_AGE, ""]
    by_age = dict(
        session.exec(select(Loan.age_group, func.count()).where(*in_period).group_by(col(Loan.age_group))).all()
    )
    people_by_age = dict(
        session.exec(
            select(Loan.age_group, func.count(func.distinct(Loan.borrower_tag)))
            .where(*in_period)
            .group_by(col(Loan.age_group))
        ).all()
    )
    stats.per_age_group = [(g or UNKNOWN_AGE, int(by_age[g])) for g in order if by_age.get(g)]
    stats.borrowers_per_age_group = [(g or UNKNOWN_AGE, int(people_by_age[g])) for g in order if people_by_age.get(g)]
    stats.top_items = [
        (f"{name} {size}".strip() + f" ({number})", int(n))
        for name, size, number, n in session.exec(
            select(Item.name, Item.size, Item.number, func.count())
            .select_from(Loan)
            .join(Item, col(Item.id) == col(Loan.item_id))
            .where(*in_period)
            .group_by(col(Item.id), col(Item.name), col(Item.size), col(Item.number))
            .order_by(func.count().desc(), col(Item.number))
            .limit(10)
        ).all()
    ]
    return stats


def shown(s: Stats) -> dict[str, list[tuple[str, int]]]:
    """The page's series with labels in the request's language: months, the
    default categories and the age groups (branch and item names are
    content and stay as written)."""
    return {
        "month": [
            (month_label(y, m), n) for (y, m), (_label, n) in zip(month_keys(s.start, s.end), s.per_month, strict=True)
        ],
        "category": [(_(c), n) for c, n in s.per_category],
        "branch": s.per_branch,
        "age": [(_(g), n) for g, n in s.borrowers_per_age_group],
        "age_loans": [(_(g), n) for g, n in s.per_age_group],
        "top": s.top_items,
    }


def report_figures(session: Session, site: Site, start: date, end: date) -> list[Figure]:
    """The figures the umbrella's follow-up report (IOP) shows for the period,
    in the request's language (the report shows labels and units as given)."""
    s = compute(session, site, start, end)
    title = site.plugin_settings(PLUGIN).title
    pieces, people = _("st"), _("personer")
    return [
        Figure(_("Lån från %(title)s") % {"title": title}, s.loans, pieces),
        Figure(_("Unika låntagare"), s.unique_borrowers, people),
        *(Figure(_("Låntagare %(group)s") % {"group": _(group)}, n, people) for group, n in s.borrowers_per_age_group),
        *(Figure(_("Lån från %(branch)s") % {"branch": branch}, n, pieces) for branch, n in s.per_branch),
        Figure(_("Andel lån som aldrig lämnats tillbaka"), s.never_returned_share, "%"),
        Figure(_("Nya saker i katalogen (skänkta)"), s.new_items, pieces),
        Figure(_("Saker i katalogen"), s.items_in_catalogue, pieces),
    ]


def csv_rows(s: Stats) -> list[list[str]]:
    """Every figure of the page as rows of (section, key, value). Always in
    Swedish, whatever the page's language: the file is a data format that
    spreadsheets and scripts read by its section names."""
    rows = [
        ["sammanfattning", "lån", str(s.loans)],
        ["sammanfattning", "unika låntagare", str(s.unique_borrowers)],
        ["sammanfattning", "återlämnade", str(s.returned)],
        ["sammanfattning", "aldrig återlämnade", str(s.never_returned)],
        ["sammanfattning", "andel aldrig återlämnade (%)", str(s.never_returned_share).replace(".", ",")],
        ["sammanfattning", "nya saker", str(s.new_items)],
    ]
    sections = [
        ("lån per månad", s.per_month),
        ("lån per kategori", s.per_category),
        ("lån per utlåningsställe", s.per_branch),
        ("lån per åldersgrupp", s.per_age_group),
        ("låntagare per åldersgrupp", s.borrowers_per_age_group),
        ("mest utlånade", s.top_items),
    ]
    for section, pairs in sections:
        rows += [[section, key, str(value)] for key, value in pairs]
    return rows
