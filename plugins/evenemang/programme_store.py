"""Reading and writing festival programmes: the call's deadline, an item
becoming an event when it is accepted, and the mail that tells the
submitter what the admins decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException

from core.api import Mail, Site, absolute_url_for, babel_locale, in_language, notify, recipient_language, utcnow
from core.api import gettext as _
from plugins.evenemang import store, times
from plugins.evenemang.models import Event, Review, Status
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem

MIDNIGHT = time(0)
#: The longest programme, in days (a festival week with margin).
MAX_DAYS = 31


def load_programme(db: Session, slug: str) -> Programme:
    programme = db.exec(select(Programme).where(Programme.slug == slug[:80])).first()
    if programme is None:
        raise HTTPException(404, _("Det finns inget program med den adressen. Se alla program under Evenemang."))
    return programme


def load_item(db: Session, item_id: int) -> ProgrammeItem:
    item = db.get(ProgrammeItem, item_id) if 0 < item_id <= store.MAX_ID else None
    if item is None:
        raise HTTPException(404, _("Bidraget finns inte, eller är borttaget."))
    return item


def days_of(programme: Programme) -> list[date]:
    count = min((programme.last_day - programme.first_day).days + 1, MAX_DAYS)
    return [programme.first_day + timedelta(days=n) for n in range(max(count, 1))]


def call_closed(site: Site, programme: Programme) -> str:
    """Why no contribution can be sent now ("" when one can)."""
    if not programme.call_open:
        return _("Programmet tar inte emot bidrag just nu.")
    if programme.deadline is not None and site.clock.today() > programme.deadline:
        return _(
            "Sista dagen för bidrag var %(day)s, så det går inte att skicka in fler. "
            "Kontakta arrangören om ni ändå vill vara med."
        ) % {"day": day_text(site, programme.deadline)}
    return ""


def day_text(site: Site, day: date) -> str:
    from babel.dates import format_date

    text: str = format_date(day, "EEEE d MMMM y", locale=babel_locale(site))
    return text


def counts(db: Session, programme_id: int) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(ItemState, 0)
    for state in db.exec(select(ProgrammeItem.state).where(ProgrammeItem.programme_id == programme_id)).all():
        found[state] = found.get(state, 0) + 1
    return found


@dataclass(frozen=True)
class Slot:
    """An accepted item as the programme shows it: the event's own title and
    time (an admin may have changed the event), the item's stage."""

    item: ProgrammeItem
    event: Event
    start: datetime
    end: datetime

    @property
    def stage(self) -> str:
        return self.item.stage


def slots(db: Session, programme_id: int) -> list[Slot]:
    """Accepted items whose event is still published, by start and stage."""
    rows = db.exec(
        select(ProgrammeItem, Event)
        .join(Event, col(Event.id) == col(ProgrammeItem.event_id))
        .where(
            ProgrammeItem.programme_id == programme_id,
            ProgrammeItem.state == ItemState.ACCEPTED,
            Event.review == Review.PUBLISHED,
        )
    ).all()
    found = [Slot(item, event, event.starts_at, event.ends_at) for item, event in rows]
    return sorted(found, key=lambda s: (s.start, s.stage, s.event.title))


def event_ids(db: Session, programme_id: int) -> list[int]:
    rows = db.exec(
        select(ProgrammeItem.event_id).where(
            ProgrammeItem.programme_id == programme_id,
            ProgrammeItem.state == ItemState.ACCEPTED,
            col(ProgrammeItem.event_id).is_not(None),
        )
    ).all()
    return [r for r in rows if r is not None]


def accept(site: Site, db: Session, programme: Programme, item: ProgrammeItem) -> Event:
    """Make the accepted item an event of the site (published, organised by
    the association) so it shows in the calendar; an item accepted again
    after a change updates its event."""
    event = db.get(Event, item.event_id) if item.event_id else None
    before = store.snapshot(event) if event is not None else None
    if event is None:
        event = Event(
            uid=store.new_uid(site),
            title="",
            starts_at=datetime.min,
            ends_at=datetime.min,
            first_start_utc=datetime.min,
            last_end_utc=datetime.min,
            created_by_id=item.submitted_by_id,
        )
    event.title = item.title
    event.summary = f"Del av {programme.title}."  # stored: in the site's language
    event.description = item.description
    event.tz = site.config.site.timezone
    event.starts_at = datetime.combine(item.day, item.start_time)
    event.ends_at = datetime.combine(item.day, item.end_time)
    event.all_day = False
    event.place_name = ", ".join(p for p in (item.stage, programme.place_name) if p)
    event.address = programme.address
    event.municipality = programme.municipality
    event.category = programme.category
    event.contact_name = item.contact_name
    event.contact_email = item.contact_email
    event.review = Review.PUBLISHED
    event.status = Status.SCHEDULED
    store.derive(event, store.settings_of(site))
    store.touch(event, before)
    db.add(event)
    db.flush()
    store.set_organisers(db, event, [(item.association_slug, item.association_name)])
    item.event_id = event.id
    return event


def check_times(site: Site, item: ProgrammeItem) -> str:
    """Why the item's times cannot be used ("" when they can)."""
    if item.end_time <= item.start_time:
        return _("Programpunkten måste sluta efter att den börjar.")
    for moment in (datetime.combine(item.day, item.start_time), datetime.combine(item.day, item.end_time)):
        try:
            times.check_exists(moment, site.config.site.timezone)
        except times.TimeProblem as problem:
            return str(problem)
    return ""


#: The notice kind of a programme submission reviewed (the ``notice_kinds`` hook).
PROGRAMME_NOTICE = "evenemang.programme"


def review_mail(site: Site, db: Session, programme: Programme, item: ProgrammeItem, decision: str) -> None:
    """Tell the submitter what the admins decided, with their message, in
    the submitter's language (issue 20: a notice they can switch off)."""
    names = {"name": programme.title, "what": item.title}
    lang = recipient_language(site, db, item.contact_email)
    with in_language(lang):
        if decision == ItemState.ACCEPTED:
            subject = _("Antaget till %(name)s: %(what)s") % names
            opening = _("Ert bidrag ”%(what)s” är antaget och finns nu i programmet för %(name)s.") % names
            link = absolute_url_for(site, "evenemang:programme", slug=programme.slug)
        elif decision == ItemState.CHANGES:
            subject = _("Ändringar behövs: %(what)s") % names
            opening = (
                _(
                    "Vi vill gärna ha med ”%(what)s” i %(name)s, men något behöver ändras. "
                    "Ändra bidraget och skicka det igen via länken nedan."
                )
                % names
            )
            link = absolute_url_for(site, "evenemang:item_edit", item_id=item.id)
        else:
            subject = _("Inte med i %(name)s: %(what)s") % names
            opening = _("Tyvärr kan ”%(what)s” inte vara med i %(name)s.") % names
            link = absolute_url_for(site, "evenemang:programme", slug=programme.slug)
        parts = [_("Hej!"), opening]
        if item.review_message:
            parts.append(_("Meddelande från arrangören:") + "\n" + item.review_message)
        parts += [link, _("Hälsningar") + f"\n{site.name}"]
    mail = Mail(item.contact_email, subject, "\n\n".join(parts) + "\n", lang)
    notify(site, db, PROGRAMME_NOTICE, mail, origin="evenemang")


def decide(site: Site, db: Session, programme: Programme, item: ProgrammeItem, decision: str, message: str) -> None:
    """Record an admin's decision on ``item`` and mail the submitter; raises
    ``times.TimeProblem`` when an accepted item's times cannot be an event."""
    item.review_message = message
    item.reviewed_at = utcnow()
    item.updated_at = utcnow()
    if decision == ItemState.ACCEPTED:
        accept(site, db, programme, item)
    elif item.event_id is not None:
        # Declined or sent back after being accepted: the event leaves the calendar, marked cancelled.
        event = db.get(Event, item.event_id)
        if event is not None:
            before = store.snapshot(event)
            event.status = Status.CANCELLED
            store.touch(event, before)
            db.add(event)
    item.state = decision
    db.add(item)
    db.flush()
    review_mail(site, db, programme, item, decision)
