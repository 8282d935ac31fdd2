"""The public plugin interface: everything a plugin may import from core.

A plugin written outside this repository imports from here (and
``from core import hookimpl``), nothing else in ``core``. What is listed here
is kept stable; everything else in core may change without notice.
``docs/plugins.md`` explains each name, and ``tests/test_plugin_interface.py``
checks that every plugin (odling, our worked example of a third-party
plugin, and the built-in ones) keeps to this module.
"""

from __future__ import annotations

from starlette.requests import Request

from core import hookimpl
from core.accounts import get_user_by_email
from core.contributions import Block, DailyJob, Figure, NavItem, SearchResult
from core.forms import MAX_FORM_BYTES, Form
from core.i18n import N_, gettext, ngettext
from core.markdown import plain_text, render_markdown, sanitize_html
from core.models import Role, User, utcnow
from core.permissions import Forbidden, LoginRequired, current_user, require_admin, require_user
from core.search import index_text, match
from core.settings import ConfigError, PluginSettings
from core.site import Site
from core.templating import flash

# isort: split
# federation and lifecycle (issue 12, fedplugin): what the federation plugin
# needs beyond the names above. FederatedKind, FeedItem and tag_authority
# moved into core from federation.kinds.
from core import __version__ as PARAPLY_VERSION
from core.federated import FederatedKind, FeedItem, tag_authority
from core.i18n import BABEL_LOCALES, SOURCE_LOCALE, current_locale, current_translator
from core.search import stem

# isort: split
# -- iface (issue 12): the rest of what the built-in plugins need ------------------------------------
from core.accounts import create_user
from core.asking import all_front_page_blocks, feed_response, member_page_url, received_entries, received_stamp
from core.demo import DEMO_PASSWORD, demo_accounts, demo_file
from core.forms import PHONE_PATTERN, PhoneNumber
from core.i18n import babel_locale, page_language
from core.images import ImageError, delete_image, save_upload
from core.paging import page_count, page_link, page_number, paged
from core.received import EntrySource, ReceivedEntry
from core.search import words
from core.site_command import load_site, site_option

#: The core table plugins may point foreign keys at (``core_user.id``).
USER_TABLE = User.__tablename__

#: Core's first migration: put it in ``depends_on`` of a plugin's first
#: revision when the plugin's tables refer to ``core_user``.
CORE_BASE_REVISION = "c382d6bf531d"


def site_of(request: Request) -> Site:
    """The site serving this request (``site.render``, ``site.session()``,
    ``site.plugin_settings(name)``, ``site.prefix(name)``)."""
    site: Site = request.app.state.site  # Starlette's app state is untyped
    return site


def pending_migrations(site: Site) -> list[str]:
    """The site's migrations not yet applied: a command that needs the
    plugin's tables refuses to run and says ``paraply migrate``. (Alembic is
    imported only when a command asks.)"""
    from core.migrate import pending

    return pending(site)


__all__ = [
    "CORE_BASE_REVISION",
    "MAX_FORM_BYTES",
    "N_",
    "USER_TABLE",
    "Block",
    "ConfigError",
    "DailyJob",
    "FederatedKind",
    "FeedItem",
    "Figure",
    "Forbidden",
    "Form",
    "LoginRequired",
    "NavItem",
    "PluginSettings",
    "Role",
    "SearchResult",
    "Site",
    "User",
    "current_user",
    "flash",
    "get_user_by_email",
    "gettext",
    "ngettext",
    "hookimpl",
    "index_text",
    "match",
    "plain_text",
    "render_markdown",
    "require_admin",
    "require_user",
    "sanitize_html",
    "site_of",
    "tag_authority",
    "utcnow",
    # federation and lifecycle
    "BABEL_LOCALES",
    "PARAPLY_VERSION",
    "SOURCE_LOCALE",
    "current_locale",
    "current_translator",
    "stem",
    # -- iface (issue 12) --
    "DEMO_PASSWORD",
    "PHONE_PATTERN",
    "EntrySource",
    "ImageError",
    "PhoneNumber",
    "ReceivedEntry",
    "all_front_page_blocks",
    "babel_locale",
    "create_user",
    "delete_image",
    "demo_accounts",
    "demo_file",
    "feed_response",
    "load_site",
    "member_page_url",
    "page_count",
    "page_language",
    "page_link",
    "page_number",
    "paged",
    "pending_migrations",
    "received_entries",
    "received_stamp",
    "save_upload",
    "site_option",
    "words",
]

# event loop: a plain ``def`` view runs in the thread pool and reads its posted
# form with ``read_form`` (or ``Form.bind``); an ``async def`` view hands its
# blocking work (database, templates, images) to ``run_in_threadpool``.
from starlette.concurrency import run_in_threadpool  # noqa: E402

from core.forms import read_form  # noqa: E402
from core.images import store_upload  # noqa: E402

__all__ += ["read_form", "run_in_threadpool", "store_upload"]

# services (issue 12, point 3): the clock, URLs and mail every plugin uses.
from core.clock import Clock  # noqa: E402
from core.mail import Mail, mail_folder, queue_mail  # noqa: E402
from core.urls import absolute_url_for, url_for  # noqa: E402

__all__ += [
    "Clock",
    "Mail",
    "absolute_url_for",
    "mail_folder",
    "queue_mail",
    "url_for",
]

# abuse (issue 14): what a rate limit per visitor counts by, as the login throttle does,
# and the one rate limit service: ``within_limit(site, scope, {"client":
# throttle_key(host), "email": address}, limit, window)`` counts an attempt in
# the database (every worker shares the count; only keyed hashes are kept; the
# daily job deletes them when their window ends) and says whether it is allowed.
from core.proxies import throttle_key  # noqa: E402
from core.rate_limits import within_limit  # noqa: E402

__all__ += ["throttle_key", "within_limit"]
# mypy (issue 12): a select field's option, from here because the WTForms stubs
# (types-WTForms) do not know it yet; core.forms explains.
from core.forms import SelectChoice  # noqa: E402

__all__ += ["SelectChoice"]

# pictures (issue 17): uploads in responsive sizes. ``store_upload`` makes
# them; ``picture_of(site.uploads_dir, name)`` says what a page shows (or use
# the macros in core/templates/macros/images.html and cards.html);
# ``store_image`` stores bytes a plugin made itself (demo pictures).
from core.images import Picture, make_variants, picture_of, store_image  # noqa: E402

__all__ += ["Picture", "make_variants", "picture_of", "store_image"]

# accounts (issue 13): mail in its reader's language, and the person's own data.
from core.i18n import in_language  # noqa: E402

__all__ += ["in_language"]

# secrets in the data folder (issue 18): ``kept_secret(path, make)`` gives the
# file's bytes, writing ``make()`` there (mode 0600) exactly once however many
# workers ask at the same moment on a fresh site (federation's signing key).
from core.secret_files import kept_secret  # noqa: E402

__all__ += ["kept_secret"]

# hardening (issue 18): numbers from paths and query strings that the database
# can always hold. Routes write ``{x:id}`` (core.params registers it, and
# bounds ``{x:int}`` the same way); query strings use ``query_int`` (400
# for a value that is no usable number) or ``int_param``, form values ``parse_int``.
from core.params import MAX_ID, int_param, parse_int, query_int  # noqa: E402
from core.weblinks import http_url, split_url  # noqa: E402

__all__ += ["MAX_ID", "http_url", "int_param", "parse_int", "query_int", "split_url"]

# events (issue 14): what the events plugin asks the member directory and a premises plugin.
from core.asking import (  # noqa: E402
    association_editors,
    association_page_blocks,
    bookable_places,
    editable_associations,
    member_associations,
)
from core.contributions import AssociationRef, Place  # noqa: E402

__all__ += [
    "AssociationRef",
    "Place",
    "association_editors",
    "association_page_blocks",
    "bookable_places",
    "editable_associations",
    "member_associations",
]

# Mina föreningar (issue 16): other plugins' sections on the editor's page, such
# as samverkan's offers waiting for an answer (``my_associations_sections`` hook).
from core.asking import my_associations_sections  # noqa: E402

__all__ += ["my_associations_sections"]

# fetching (issue 13, issue 18 fault 5): the one guarded HTTP client for every
# request the site makes to another server. ``Fetcher(allow_private=[url, ...])``
# checks each address when the connection is opened (no DNS-rebinding window),
# refuses private, loopback and link-local addresses (also wrapped in IPv6:
# NAT64, 6to4, Teredo, IPv4-compatible), follows redirects by hand (each hop
# checked), decompresses in bounded steps with a size cap, and keeps deadlines
# and per-origin limits. Failures are ``FetchError`` (``BlockedAddress`` for a
# refused address) with a Swedish message marked for translation;
# ``FetchResult`` is the answer. ``is_public`` is the address rule on its own.
from core.fetch import (  # noqa: E402
    BlockedAddress,
    Fetcher,
    FetchError,
    FetchResult,
    is_public,
    origin_of,
)

__all__ += ["BlockedAddress", "FetchError", "FetchResult", "Fetcher", "is_public", "origin_of"]

# bookings (issue 15): a queued e-mail may carry files (a booking's .ics).
from core.mail import Attachment  # noqa: E402

__all__ += ["Attachment"]
# reach (issue 20, point 1: addresses kept only while subscribed): a plugin
# forgets the mail it queued to an address (sent or waiting) when its owner
# leaves: ``forget_mail_to(session, address, origin="nyhetsbrev")``.
from core.mail import forget_mail_to  # noqa: E402

__all__ += ["forget_mail_to"]
# The events link (issue 15): what is held in a room, asked of the events plugin.
from core.asking import place_uses  # noqa: E402
from core.contributions import PlaceUse  # noqa: E402

__all__ += ["PlaceUse", "place_uses"]
# ... and the other way (issue 15): whether a room is booked, asked of the premises plugin.
from core.asking import place_bookings  # noqa: E402
from core.contributions import PlaceBooking  # noqa: E402

__all__ += ["PlaceBooking", "place_bookings"]
# ... and booking it for an event in the same save (issue 14): under the premises plugin's own rules.
from core.asking import book_place  # noqa: E402
from core.contributions import PlaceBookingOutcome  # noqa: E402

__all__ += ["PlaceBookingOutcome", "book_place"]

# the partnership (issue 16): the follow-up report's figures of every plugin,
# asked by the plugin that draws the report (samverkan).
from core.asking import report_figures  # noqa: E402

__all__ += ["report_figures"]
# reach (issue 20): notifications each recipient can switch off. A plugin
# declares its kinds (``notice_kinds`` hook returning ``NoticeKind``), writes
# the message in ``recipient_language(site, session, address)`` (inside
# ``in_language``) and sends it with ``notify(site, session, kind, Mail(...))``
# instead of ``queue_mail``: the outbox in the caller's transaction, a footer
# with the recipient's settings link, nothing when they switched it off.
from core.contributions import NoticeKind  # noqa: E402
from core.notices import notify, recipient_language  # noqa: E402

__all__ += ["NoticeKind", "notify", "recipient_language"]
# newsletters (issue 20): what plugins contribute to an issue, and the one
# path suffix that takes a POST without a CSRF token (RFC 8058 one-click
# unsubscribe, posted by mail clients without cookies).
from core.asking import newsletter_items  # noqa: E402
from core.contributions import NewsletterItem  # noqa: E402
from core.csrf import ONE_CLICK_SUFFIX  # noqa: E402

__all__ += ["ONE_CLICK_SUFFIX", "NewsletterItem", "newsletter_items"]

# search (issue 21 point 4, issue 20 point 3): the one search service, full
# text in the database (SQLite FTS5, PostgreSQL full-text search), ranked and
# paged in SQL. Plugins declare ``SearchKind`` (``search_kinds`` hook) and
# ask ``search(session, query, kinds=..., origins=..., page=...)`` → ``SearchFound``
# of ``SearchHit``; federation puts peers' copies with ``search_put``.
from core.search_index import Document as SearchDocument  # noqa: E402
from core.search_index import Found as SearchFound  # noqa: E402
from core.search_index import Hit as SearchHit  # noqa: E402
from core.search_index import SearchKind, search  # noqa: E402
from core.search_index import matching as search_matching  # noqa: E402
from core.search_index import put as search_put  # noqa: E402
from core.search_index import sort_key as search_sort_key  # noqa: E402

__all__ += [
    "SearchDocument",
    "SearchFound",
    "SearchHit",
    "SearchKind",
    "search",
    "search_matching",
    "search_put",
    "search_sort_key",
]
# speed (issue 21): the number that goes up with every committed change a page
# can show (core.pagecache); keep what you render in memory per version.
from core.pagecache import site_content_version  # noqa: E402

__all__ += ["site_content_version"]
# speed (issue 21): parts of pages that are the same for everyone, kept while
# nothing changes, so a signed-in page renders only what is the visitor's own.
from core.memo import remember  # noqa: E402
from core.templating import render_fragment  # noqa: E402

__all__ += ["remember", "render_fragment"]
