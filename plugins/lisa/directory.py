"""The directory's questions: which services match a visitor's filters,
whether a service is open now, which ones are due for verification.

Searching is forgiving: the search text holds every word as written and
folded (å→a, ä→a, ö→o), so "vald i nara relationer" finds "våld i nära
relationer" and "ÖREBRO" finds "Örebro". Filters that need the schedule
("open now") run in Python on the few hundred rows a region has.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select
from starlette.requests import Request

from core.api import N_, SearchDocument, SearchKind, Site, index_text, match, plain_text, url_for, words
from core.api import gettext as _
from core.api import site_of as site_of  # for the plugin's views
from plugins.lisa.models import Organisation, Schedule, Service, ServiceStatus, ServiceTerm, Term
from plugins.lisa.settings import LisaSettings

PLUGIN = "lisa"

#: The needs a new site starts with; admins edit them under LISA → Behov.
#: The names are stored in Swedish and shown through the catalogue, so a need
#: an admin has not renamed reads in the visitor's language.
DEFAULT_TERMS: list[tuple[str, str, str]] = [
    ("ensamhet", N_("Ensamhet"), "Gemenskap, samtal och sällskap för den som känner sig ensam."),
    (
        "ekonomi-och-skulder",
        N_("Ekonomi och skulder"),
        "Budget- och skuldrådgivning, hjälp med räkningar och ansökningar.",
    ),
    ("mat-och-klader", N_("Mat och kläder"), "Matkassar, sociala måltider, kläder och second hand."),
    ("boende", N_("Boende"), "Akut boende, hjälp att behålla eller hitta bostad."),
    ("psykisk-halsa", N_("Psykisk hälsa"), "Stödsamtal, samtalsgrupper och stöd vid oro, nedstämdhet eller kris."),
    ("missbruk-och-beroende", N_("Missbruk och beroende"), "Stöd för den som har ett beroende och för anhöriga."),
    (
        "vald-i-nara-relationer",
        N_("Våld i nära relationer"),
        "Stöd, skydd och rådgivning för den som utsätts för våld.",
    ),
    ("anhorigstod", N_("Anhörigstöd"), "Stöd för den som hjälper eller vårdar en närstående."),
    ("foraldraskap", N_("Föräldraskap"), "Föräldragrupper, familjestöd och mötesplatser för småbarnsföräldrar."),
    ("nyanlanda", N_("Nyanlända"), "Språkcafé, samhällsinformation och stöd för den som är ny i Sverige."),
    ("sysselsattning", N_("Sysselsättning"), "Meningsfull vardag, praktik, volontärarbete och arbetsträning."),
    ("juridik", N_("Juridik"), "Rådgivning om rättigheter, myndighetskontakter och juridiska frågor."),
    (
        "fritid-for-barn-och-unga",
        N_("Fritid för barn och unga"),
        "Kostnadsfria aktiviteter, läxhjälp och mötesplatser.",
    ),
]

#: ISO 639-1 codes and their Swedish names, for the language filter and pages
#: (translated where shown: ``_(name)``, ``{{ name|translate }}``).
LANGUAGES: dict[str, str] = {
    "sv": N_("svenska"),
    "en": N_("engelska"),
    "ar": N_("arabiska"),
    "so": N_("somaliska"),
    "ti": N_("tigrinja"),
    "fa": N_("persiska"),
    "prs": N_("dari"),
    "uk": N_("ukrainska"),
    "pl": N_("polska"),
    "fi": N_("finska"),
    "es": N_("spanska"),
    "ku": N_("kurdiska"),
    "bs": N_("bosniska"),
    "sgn": N_("teckenspråk"),
}

METHOD_LABELS: dict[str, str] = {
    "dropin": N_("Drop-in, kom när det är öppet"),
    "phone": N_("Ring"),
    "booking": N_("Boka tid"),
    "referral": N_("Tar emot remiss från vårdcentral"),
}

STATUS_LABELS: dict[str, str] = {
    ServiceStatus.ACTIVE.value: N_("Pågår"),
    ServiceStatus.TEMPORARILY_CLOSED.value: N_("Tillfälligt stängt"),
    ServiceStatus.ENDED.value: N_("Avslutad"),
}

WEEKDAYS = [N_("måndag"), N_("tisdag"), N_("onsdag"), N_("torsdag"), N_("fredag"), N_("lördag"), N_("söndag")]

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a", "ø": "o"})


def settings_of(site: Site) -> LisaSettings:
    return site.plugin_settings(PLUGIN, LisaSettings)


def site_tz(site: Site) -> ZoneInfo:
    return ZoneInfo(site.config.site.timezone)


def fold(text: str) -> str:
    """Lower-case without Swedish diacritics, for forgiving matches."""
    return unicodedata.normalize("NFC", text).casefold().translate(_FOLD)


def refresh_search_text(session: Session, service: Service) -> None:
    """Keep the search column in step with what is shown; call on every save."""
    organisation = session.get(Organisation, service.organisation_id)
    terms = terms_of(session, service)
    parts = [
        service.name,
        service.summary,
        service.description,
        service.target_groups,
        organisation.name if organisation else "",
        service.municipality,
        service.location_name,
        *(t.name for t in terms),
        *(LANGUAGES.get(code, "") for code in service.language_list),
    ]
    service.search_text = index_text(*parts, *(fold(p) for p in parts))


def search_kind() -> SearchKind:
    """Services in the site's search index (kind ``help``, as federated, so
    peers' copies rank with them on ``/sok``). Public is what the directory
    and the feed show: every service that has not ended. What is searched is
    the service's ``search_text`` (name, summary, description, target groups,
    organisation, place, needs and languages: directory facts, never a
    referral)."""
    from plugins.lisa.federated import KIND, is_public

    def describe(site: Site, service: Service) -> SearchDocument | None:
        if service.id is None or not is_public(service):
            return None
        return SearchDocument(
            service.name,
            url_for(site, "lisa:service", service_id=service.id),
            service.search_text,
            service.summary or plain_text(service.description or "", 200),
            meta=service.municipality,
        )

    return SearchKind(KIND, N_("Hjälptjänster"), Service, describe)


def terms_of(session: Session, service: Service) -> list[Term]:
    rows = session.exec(
        select(Term)
        .join(ServiceTerm, col(ServiceTerm.term_id) == Term.id)
        .where(ServiceTerm.service_id == service.id)
        .order_by(col(Term.position), col(Term.name))
    ).all()
    return list(rows)


def terms_for(session: Session, service_ids: list[int]) -> dict[int, list[Term]]:
    """Every listed service's needs in one query, for result lists (one
    query per service made ``/hjalp/`` slow: issue 21)."""
    found: dict[int, list[Term]] = {i: [] for i in service_ids}
    if not service_ids:
        return found
    rows = session.exec(
        select(ServiceTerm.service_id, Term)
        .join(Term, col(ServiceTerm.term_id) == Term.id)
        .where(col(ServiceTerm.service_id).in_(service_ids))
        .order_by(col(Term.position), col(Term.name))
    ).all()
    for service_id, term in rows:
        found[service_id].append(term)
    return found


def all_terms(session: Session) -> list[Term]:
    return list(session.exec(select(Term).order_by(col(Term.position), col(Term.name))).all())


def schedules_of(session: Session, service: Service) -> list[Schedule]:
    rows = session.exec(
        select(Schedule)
        .where(Schedule.service_id == service.id)
        .order_by(col(Schedule.weekday), col(Schedule.opens_at))
    ).all()
    return list(rows)


# -- open now ---------------------------------------------------------------------


def is_open(schedules: list[Schedule], at: datetime, tz: ZoneInfo) -> bool:
    """Whether any weekly opening covers ``at`` in the site's time zone.
    An opening that closes at or before it opens runs past midnight. The week
    alone: what people see ("Öppet nu") also weighs holidays and special
    hours, in ``days.is_open``."""
    local = at.astimezone(tz)
    today, now_t = local.weekday(), local.time().replace(tzinfo=None)
    yesterday = (today - 1) % 7
    for s in schedules:
        overnight = s.closes_at <= s.opens_at
        if s.weekday == today and (s.opens_at <= now_t < s.closes_at or (overnight and now_t >= s.opens_at)):
            return True
        if overnight and s.weekday == yesterday and now_t < s.closes_at:
            return True
    return False


def opening_lines(schedules: list[Schedule], *, localise: bool = True) -> list[str]:
    """ "måndag 10.00–14.00" per opening, in week order, for pages and print:
    in the visitor's language, or (``localise=False``) in Swedish, the site's
    language, for feeds that other sites read."""
    return [opening_line(s.weekday, s.opens_at, s.closes_at, localise=localise) for s in schedules]


def opening_line(weekday: int, opens: time, closes: time, *, localise: bool = True) -> str:
    day, pattern = WEEKDAYS[weekday], "%H.%M"
    if localise:
        # Translators: a strftime pattern for times of day in opening hours; Swedish writes 10.00.
        day, pattern = _(day), _("%H.%M")
    return f"{day} {opens.strftime(pattern)}–{closes.strftime(pattern)}"


# -- verification -------------------------------------------------------------------


def verify_due_before(site: Site) -> datetime:
    """Services last verified before this moment are flagged."""
    months = settings_of(site).verify_after_months
    return site.clock.now() - timedelta(days=round(months * 365.25 / 12))


def needs_verification(site: Site, service: Service) -> bool:
    if service.status == ServiceStatus.ENDED:
        return False
    verified = service.verified_at
    if verified is None:
        return True
    if verified.tzinfo is None:
        verified = verified.replace(tzinfo=site.clock.now().tzinfo)
    return verified < verify_due_before(site)


def unverified_services(site: Site, session: Session) -> list[Service]:
    rows = session.exec(select(Service).where(Service.status != ServiceStatus.ENDED).order_by(col(Service.name)))
    return [s for s in rows if needs_verification(site, s)]


# -- finding help -----------------------------------------------------------------------


@dataclass
class Filters:
    """What a visitor asked for, read from the query string."""

    q: str = ""
    behov: str = ""
    kommun: str = ""
    sprak: str = ""
    gratis: bool = False
    oppet: bool = False
    alder: int | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls, request: Request) -> Filters:
        p = request.query_params
        filters = cls(
            q=p.get("q", "").strip()[:200],
            behov=p.get("behov", "").strip(),
            kommun=p.get("kommun", "").strip(),
            sprak=p.get("sprak", "").strip(),
            gratis=p.get("gratis") == "ja",
            oppet=p.get("oppet") == "ja",
        )
        age = p.get("alder", "").strip()
        if age:
            if age.isdigit() and int(age) <= 120:
                filters.alder = int(age)
            else:
                filters.errors.append(_("Skriv åldern med siffror, till exempel 16."))
        return filters

    @property
    def active(self) -> bool:
        return bool(self.q or self.behov or self.kommun or self.sprak or self.gratis or self.oppet or self.alder)

    def as_params(self) -> dict[str, str]:
        params = {"q": self.q, "behov": self.behov, "kommun": self.kommun, "sprak": self.sprak}
        if self.gratis:
            params["gratis"] = "ja"
        if self.oppet:
            params["oppet"] = "ja"
        if self.alder is not None:
            params["alder"] = str(self.alder)
        return {k: v for k, v in params.items() if v}


def find_services(site: Site, session: Session, filters: Filters) -> list[Service]:
    """Services that are not ended and match every filter, open ones first,
    then by name."""
    statement = select(Service).where(Service.status != ServiceStatus.ENDED)
    if filters.q:
        clause = query_clause(session, filters.q)
        if clause is not None:
            statement = statement.where(clause)
    if filters.behov:
        statement = statement.join(ServiceTerm, col(ServiceTerm.service_id) == Service.id).join(
            Term, col(Term.id) == ServiceTerm.term_id
        )
        statement = statement.where(Term.code == filters.behov)
    if filters.kommun:
        statement = statement.where(Service.municipality == filters.kommun)
    if filters.gratis:
        statement = statement.where(Service.free == True)  # noqa: E712
    if filters.alder is not None:
        age = filters.alder
        statement = statement.where((col(Service.min_age).is_(None)) | (col(Service.min_age) <= age))
        statement = statement.where((col(Service.max_age).is_(None)) | (col(Service.max_age) >= age))
    services = list(session.exec(statement).all())
    if filters.sprak:
        services = [s for s in services if filters.sprak in s.language_list]
    if filters.oppet:
        from plugins.lisa import days  # it reads this module's day names

        tz, at = site_tz(site), site.clock.now()
        ids = [s.id for s in services if s.id is not None]
        openings = schedules_for(session, ids)
        specials = days.specials_for(session, ids, since=at.astimezone(tz).date() - timedelta(days=1))
        services = [
            s
            for s in services
            if s.status == ServiceStatus.ACTIVE
            and days.is_open(openings[s.id or 0], specials[s.id or 0], s.open_on_holidays, at, tz)
        ]
    return sorted(services, key=lambda s: (s.status != ServiceStatus.ACTIVE, fold(s.name)))


def query_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """Every word of the query must match, as written or, on a page in
    another language, as the Swedish name of a need or a language that the
    word is part of in that language: "debts" finds the services for
    "Ekonomi och skulder", "arabic" those in "arabiska". What people wrote
    stays Swedish, so this is what a visitor can find in English."""
    column = col(Service.search_text)
    terms = words(fold(query))[:10]
    if not terms:
        return None
    names = [t.name for t in all_terms(session)] + list(LANGUAGES.values())
    shown = {name: words(fold(_(name))) for name in names}
    shown = {name: shown_words for name, shown_words in shown.items() if shown_words != words(fold(name))}
    clauses = []
    for term in terms:
        alternatives = [match(column, term)]
        for name, shown_words in shown.items():
            if any(w.startswith(term) for w in shown_words):
                alternatives.append(match(column, fold(name)))
        clauses.append(or_(*(a for a in alternatives if a is not None)))
    return and_(*clauses)


def schedules_for(session: Session, service_ids: list[int]) -> dict[int, list[Schedule]]:
    """Every listed service's openings in one query, for result lists."""
    found: dict[int, list[Schedule]] = {i: [] for i in service_ids}
    if not service_ids:
        return found
    rows = session.exec(
        select(Schedule)
        .where(col(Schedule.service_id).in_(service_ids))
        .order_by(col(Schedule.weekday), col(Schedule.opens_at))
    ).all()
    for row in rows:
        found[row.service_id].append(row)
    return found


def organisations_by_id(session: Session, ids: set[int]) -> dict[int, Organisation]:
    if not ids:
        return {}
    rows = session.exec(select(Organisation).where(col(Organisation.id).in_(ids))).all()
    return {o.id: o for o in rows if o.id is not None}


def tel_href(phone: str) -> str:
    """A ``tel:`` link target: digits and a leading plus only."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")
