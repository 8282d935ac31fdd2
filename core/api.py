"""The public plugin interface: everything a plugin may import from core.

A plugin written outside this repository imports from here (and
``from core import hookimpl``), nothing else in ``core``. What is listed here
is kept stable; everything else in core may change without notice.
``docs/plugins.md`` explains each name, and ``tests/test_odling_interface.py``
checks that the odling plugin, our worked example of a third-party plugin,
keeps to this module.
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
from core.paging import page_count, page_link, page_number
from core.search import stem, words

#: The core table plugins may point foreign keys at (``core_user.id``).
USER_TABLE = User.__tablename__

#: Core's first migration: put it in ``depends_on`` of a plugin's first
#: revision when the plugin's tables refer to ``core_user``.
CORE_BASE_REVISION = "c382d6bf531d"


def site_of(request: Request) -> Site:
    """The site serving this request (``site.render``, ``site.session()``,
    ``site.plugin_settings(name)``, ``site.prefix(name)``)."""
    return request.app.state.site  # type: ignore[no-any-return]


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
    "page_count",
    "page_link",
    "page_number",
    "stem",
    "words",
]
