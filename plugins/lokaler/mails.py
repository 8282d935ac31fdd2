"""E-mail to bookers through core's outbox, as notices each booker can
switch off (issue 20: ``BOOKING_NOTICE``, ``REMINDER_NOTICE``), in the
booker's language, each with the bookings as an
``.ics`` attachment so the booker's calendar follows along (a cancellation
carries STATUS:CANCELLED under the same UID)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.api import Attachment, Mail, Site, absolute_url_for, in_language, notify, recipient_language
from core.api import gettext as _
from plugins.lokaler import ical
from plugins.lokaler.models import Booking, BookingStatus, Resource
from plugins.lokaler.settings import LokalerSettings

#: The notice kinds of the premises plugin (the ``notice_kinds`` hook).
BOOKING_NOTICE = "lokaler.booking"
REMINDER_NOTICE = "lokaler.reminder"


def _house(site: Site) -> str:
    return site.plugin_settings("lokaler", LokalerSettings).house_name


def when(site: Site, booking: Booking) -> str:
    zone = ZoneInfo(site.config.site.timezone)
    start = booking.start_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    end = booking.end_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    if end.date() == start.date() or (end.hour == 0 and end.minute == 0 and (end.date() - start.date()).days == 1):
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"  # past midnight: both dates


def _send(
    site: Site,
    db: Session,
    resource: Resource,
    bookings: Sequence[Booking],
    subject: str,
    lead: str,
    kind: str = BOOKING_NOTICE,
) -> None:
    first = bookings[0]
    to = first.contact_email
    if not to:
        return
    lines = [lead, ""]
    lines += [f"- {resource.name}, {when(site, b)}" for b in bookings]
    if first.attendees:
        lines += ["", _("Antal personer: %(n)s") % {"n": first.attendees}]
    if first.admin_message:
        lines += ["", _("Meddelande från kansliet:"), first.admin_message]
    assert first.id is not None
    if first.created_by_id is None:  # asked without an account: the booking page needs one
        lines += ["", absolute_url_for(site, "lokaler:resource", resource_id=resource.id)]
    else:
        lines += ["", absolute_url_for(site, "lokaler:booking", booking_id=first.id)]
    data = ical.calendar(site, resource.name, [(b, resource, True) for b in bookings], _house(site))
    mail = Mail(
        to,
        subject,
        "\n".join(lines) + "\n",
        _lang(site, db, to),
        attachments=(Attachment("bokning.ics", "text/calendar", data),),
    )
    notify(site, db, kind, mail, origin="lokaler")


def _lang(site: Site, db: Session, address: str) -> str:
    return recipient_language(site, db, address)


def queue_booked(site: Site, db: Session, resource: Resource, bookings: Sequence[Booking]) -> None:
    with in_language(_lang(site, db, bookings[0].contact_email)):
        if bookings[0].status == BookingStatus.REQUESTED:
            subject = _("Bokningsförfrågan: %(name)s") % {"name": resource.name}
            lead = _("Tack! Kansliet har fått din förfrågan och svarar så snart det kan:")
        else:
            subject = _("Bokningsbekräftelse: %(name)s") % {"name": resource.name}
            lead = _("Din bokning är bekräftad:")
        _send(site, db, resource, bookings, subject, lead)


def queue_changed(site: Site, db: Session, resource: Resource, booking: Booking) -> None:
    with in_language(_lang(site, db, booking.contact_email)):
        subjects = {
            BookingStatus.CONFIRMED: (_("Bokning godkänd: %(name)s"), _("Din bokning är godkänd och bekräftad:")),
            BookingStatus.DECLINED: (
                _("Bokning avslagen: %(name)s"),
                _("Din bokningsförfrågan kunde tyvärr inte godkännas:"),
            ),
            BookingStatus.CANCELLED: (_("Bokning avbokad: %(name)s"), _("Bokningen är avbokad:")),
        }
        subject, lead = subjects.get(
            BookingStatus(booking.status), (_("Bokning ändrad: %(name)s"), _("Bokningen har ändrats:"))
        )
        _send(site, db, resource, [booking], subject % {"name": resource.name}, lead)


def queue_moved(site: Site, db: Session, resource: Resource, booking: Booking) -> None:
    with in_language(_lang(site, db, booking.contact_email)):
        _send(
            site,
            db,
            resource,
            [booking],
            _("Bokning flyttad: %(name)s") % {"name": resource.name},
            _("Kansliet har flyttat din bokning till:"),
        )


def queue_reminder(site: Site, db: Session, resource: Resource, booking: Booking) -> None:
    with in_language(_lang(site, db, booking.contact_email)):
        _send(
            site,
            db,
            resource,
            [booking],
            _("Påminnelse: %(name)s i morgon") % {"name": resource.name},
            _("Påminnelse om er bokning i morgon:"),
            REMINDER_NOTICE,
        )
