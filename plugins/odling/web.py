"""Small helpers every odling view uses: the site, the settings, URLs inside
the plugin, the park's "today" setting and who may coordinate."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from core.api import N_, Clock, Forbidden, SelectChoice, Site, User, current_user, parse_int, require_user, site_of
from core.api import gettext as _
from plugins.odling.models import Coordinator
from plugins.odling.settings import OdlingSettings

PLUGIN = "odling"

#: Month names as in running Swedish text; shown through ``month_name`` /
#: ``month_names``, which translate them for the request.
MONTHS = [
    N_("januari"),
    N_("februari"),
    N_("mars"),
    N_("april"),
    N_("maj"),
    N_("juni"),
    N_("juli"),
    N_("augusti"),
    N_("september"),
    N_("oktober"),
    N_("november"),
    N_("december"),
]


def month_name(month: int) -> str:
    """The name of month 1–12 in the request's language."""
    return _(MONTHS[month - 1])


def month_names() -> list[str]:
    return [_(name) for name in MONTHS]


def settings_of(site: Site) -> OdlingSettings:
    return site.plugin_settings(PLUGIN, OdlingSettings)


def clock(site: Site) -> Clock:
    """The park's clock: the site's own, unless the ``today`` setting (demos,
    tests) fixes the park's days at noon of that day. Only the park sees that
    date; the rest of the site (its daily jobs, its mail outbox, the other
    plugins) keeps the real time."""
    fixed = settings_of(site).today
    if fixed is None:
        return site.clock
    own: Clock | None = getattr(site.state, "odling_clock", None)
    if own is None:
        own = Clock(str(site.clock.zone))
        own.set(fixed)
        site.state.odling_clock = own
    return own


def is_coordinator(db: Session, user: User | None) -> bool:
    """Site admins, and users appointed in ``odling_coordinator``."""
    if user is None or not user.is_active:
        return False
    if user.is_admin:
        return True
    return db.exec(select(Coordinator).where(Coordinator.user_id == user.id)).first() is not None


def require_coordinator(request: Request) -> User:
    """Log in first (303), then be a coordinator or admin (403)."""
    user = require_user(request)
    with site_of(request).session() as db:
        if not is_coordinator(db, user):
            raise Forbidden(
                _(
                    "Den här sidan är för parkens samordnare. Be webbplatsens administratör "
                    "att lägga till dig som samordnare om du ska planera odlingen."
                )
            )
    return user


def viewer_is_coordinator(request: Request) -> bool:
    with site_of(request).session() as db:
        return is_coordinator(db, current_user(request))


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), str(label)) for value, label in pairs]


def translated_options(labels: dict[str, str]) -> Callable[[], list[SelectChoice]]:
    """Choices from a dict of ``N_``-marked labels, for a field declared at
    import time: WTForms calls this when a form is built, so the labels are
    in the language of the request."""
    return lambda: [SelectChoice(value, _(label)) for value, label in labels.items()]


def int_param(value: str | None) -> int | None:
    """A number from the query string, or None (core.api.parse_int: never
    out of what a database column holds)."""
    return parse_int(value)


def not_found(message: str) -> HTTPException:
    return HTTPException(404, message)
