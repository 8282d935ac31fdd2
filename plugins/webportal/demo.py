"""The webportal's demo content: an umbrella's associations, a few pending
applications, news, the standard pages, Månadens förening, and the demo
editor's two associations.

The content lives in files rather than in code. Each demo site keeps its own
in ``sites/<slug>/demo/webportal/`` (Kristinehamn's, Storfors's and
Filipstad's associations and news); any file a site lacks comes from this
plugin's ``data/``, which holds Möckelnföreningarna's content for Karlskoga
and Degerfors and is the default for every other site
(``core.demo.demo_file``). ``associations.csv`` is
written the way an umbrella's register comes out of Swedish Excel (``;``,
Swedish headers) and goes through the same checks as ``paraply
import-members`` (``plan_import``), so it doubles as an example import file.

Idempotent: ``load`` only creates what is missing, keyed on association slugs
and names, news titles, page slugs, the featured month and the editor links.
It never overwrites an existing row, so what a demo visitor changed survives a
second run.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from ipaddress import ip_address
from pathlib import Path
from string import Template
from typing import Any

from sqlmodel import Session, select

from core.api import Role, Site, User, demo_accounts, demo_file, index_text, plain_text, utcnow
from plugins.webportal import demo_pictures
from plugins.webportal.front import local_today
from plugins.webportal.import_members import ImportPlan, new_association, plan_import, read_rows
from plugins.webportal.models import Association, AssociationEditor, Featured, News, Page, Status
from plugins.webportal.news import refresh_search_text as refresh_news_search_text

DATA = Path(__file__).parent / "data"
log = logging.getLogger("paraply")


def _file(site: Site, name: str) -> Path:
    return demo_file(site, "webportal", name, DATA)


def _json(site: Site, name: str) -> Any:
    return json.loads(_file(site, name).read_text(encoding="utf-8"))


def _warn_rejected(plan: ImportPlan, what: str) -> None:
    """A site whose settings lack Degerfors, or a category, gets the rows
    that fit; the others are counted in the log rather than failing the demo."""
    if plan.rejected:
        first = plan.rejected[0]
        log.warning(
            "Demodata: %d %s passar inte webbplatsens inställningar och hoppas över, till exempel %s: %s",
            len(plan.rejected),
            what,
            first.name,
            " ".join(first.reasons),
        )


def _load_associations(site: Site, session: Session) -> None:
    _headers, rows = read_rows(_file(site, "associations.csv").read_text(encoding="utf-8"), ";")
    plan = plan_import(site, rows, session)
    _warn_rejected(plan, "föreningar")
    now = utcnow()
    for i, planned in enumerate(plan.new):
        association = new_association(planned)
        # Spread over the past two years so the follow-up report has a history.
        association.created_at = association.approved_at = now - timedelta(days=20 + 17 * i)
        session.add(association)


def _load_applications(site: Site, session: Session) -> None:
    """Pending applications, with the applicant's name and e-mail that an
    application carries until it is decided."""
    applications = _json(site, "demo.json")["applications"]
    extra = {a["namn"].casefold(): a for a in applications}
    fields = ("applicant_name", "applicant_email", "days_ago")
    rows = [{k: v for k, v in a.items() if k not in fields} for a in applications]
    plan = plan_import(site, rows, session)
    _warn_rejected(plan, "ansökningar")
    for planned in plan.new:
        association = new_association(planned, status=Status.PENDING)
        details = extra[planned.values["name"].casefold()]
        association.applicant_name = details["applicant_name"]
        association.applicant_email = details["applicant_email"]
        association.created_at = association.updated_at = utcnow() - timedelta(days=details["days_ago"])
        session.add(association)


def _by_slug(session: Session) -> dict[str, Association]:
    return {a.slug: a for a in session.exec(select(Association)).all()}


def _demo_user(site: Site, session: Session, role: Role) -> User | None:
    email = next(email for email, _name, r in demo_accounts(site) if r == role)
    return session.exec(select(User).where(User.email == email)).first()


def _load_news(site: Site, session: Session, associations: dict[str, Association], author: User | None) -> None:
    existing = set(session.exec(select(News.title)).all())
    now = utcnow()
    for i, item in enumerate(_json(site, "news.json")):
        if item["title"] in existing:
            continue
        association = associations.get(item["association"] or "")
        published = now - timedelta(days=item["days_ago"], hours=2 * (i % 5))
        news = News(
            title=item["title"],
            summary=item["summary"],
            body=item["body"],
            association_id=association.id if association else None,
            author_id=author.id if author else None,
            published=True,
            published_at=published,
            updated_at=published,
        )
        refresh_news_search_text(news)
        session.add(news)


def _mail_host(site: Site) -> str:
    """A domain for the demo's contact address: the site's host name, or
    ``<slug>.example`` when it is served from an IP address or localhost."""
    try:
        ip_address(site.host)
    except ValueError:
        if "." in site.host:
            return site.host
    return f"{site.slug}.example"


def _load_pages(site: Site, session: Session) -> None:
    """Om oss, Medlemstjänster, Kontakt and the accessibility statement, with
    the site's own name, address and contact e-mail filled in."""
    existing = set(session.exec(select(Page.slug)).all())
    values = {
        "site_name": site.name,
        "base_url": site.base_url,
        "contact_email": site.config.site.contact_email or f"info@{_mail_host(site)}",
    }
    for meta in _json(site, "pages.json"):
        if meta["slug"] in existing:
            continue
        body = Template(_file(site, meta["file"]).read_text(encoding="utf-8")).safe_substitute(values)
        page = Page(
            slug=meta["slug"],
            title=meta["title"],
            body=body,
            in_nav=meta["in_nav"],
            in_footer=meta["in_footer"],
            nav_order=meta["nav_order"],
            search_text=index_text(meta["title"], plain_text(body)),
        )
        session.add(page)


def load_starter_pages(site: Site, session: Session) -> None:
    """Om oss, Kontakt and the accessibility statement (DIGG's headings) for a
    brand-new site, as drafts its staff rewrite (data/starter/); pages that
    exist already are left alone. The caller commits."""
    existing = set(session.exec(select(Page.slug)).all())
    email = site.config.site.contact_email
    contact = f"[{email}](mailto:{email})" if email else "skriv in er e-postadress (contact_email i site.toml)"
    values = {"site_name": site.name, "contact_line": contact}
    folder = DATA / "starter"
    for meta in json.loads((folder / "pages.json").read_text(encoding="utf-8")):
        if meta["slug"] in existing:
            continue
        body = Template((folder / meta["file"]).read_text(encoding="utf-8")).safe_substitute(values)
        session.add(
            Page(
                slug=meta["slug"],
                title=meta["title"],
                body=body,
                in_nav=meta["in_nav"],
                in_footer=meta["in_footer"],
                nav_order=meta["nav_order"],
                search_text=index_text(meta["title"], plain_text(body)),
            )
        )


def _load_featured(site: Site, session: Session, associations: dict[str, Association]) -> None:
    """Månadens förening for the current month (in the site's time zone)."""
    featured = _json(site, "demo.json")["featured"]
    month = local_today(site).replace(day=1)
    association = associations.get(featured["association"])
    if association is None or session.exec(select(Featured).where(Featured.month == month)).first():
        return
    assert association.id is not None
    session.add(Featured(month=month, association_id=association.id, motivation=featured["motivation"]))


def _link_editor(site: Site, session: Session, associations: dict[str, Association]) -> None:
    """The demo editor may edit two associations, so logging in as them shows
    what an association representative sees."""
    editor = _demo_user(site, session, Role.EDITOR)
    if editor is None or editor.id is None:
        return
    for slug in _json(site, "demo.json")["editor_associations"]:
        association = associations.get(slug)
        if association is None or association.id is None:
            continue
        link = session.exec(
            select(AssociationEditor).where(
                AssociationEditor.association_id == association.id, AssociationEditor.user_id == editor.id
            )
        ).first()
        if link is None:
            session.add(AssociationEditor(association_id=association.id, user_id=editor.id))


def load(site: Site, session: Session) -> None:
    """Add whatever of the demo content is missing. The caller commits."""
    _load_associations(site, session)
    _load_applications(site, session)
    session.flush()
    associations = _by_slug(session)
    _load_news(site, session, associations, _demo_user(site, session, Role.ADMIN))
    _load_pages(site, session)
    _load_featured(site, session, associations)
    _link_editor(site, session, associations)
    session.flush()
    demo_pictures.add(site, session)
