"""Hourly limits on samverkan's two public forms (a new assignment, and
interest in one): each sends a receipt to an address the visitor typed and
lands with the staff, so without a limit a script could fill both. The
honeypot stops simple robots; this stops the rest. Counted per visitor (its
``throttle_key``: behind a proxy, the address core took from a trusted one)
and per e-mail address, by core's ``within_limit``, which every worker shares."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from core.api import N_, Site, throttle_key, within_limit
from plugins.samverkan.common import settings_of

WINDOW = timedelta(hours=1)
#: Over the limit: the form comes back with this, what was typed kept.
TOO_MANY = N_(
    "Det har kommit många anmälningar härifrån eller från den e-postadressen på kort tid. "
    "Ingenting är sparat. Vänta en timme och försök igen, eller ring föreningsrådet."
)


def allowed(site: Site, request: Request, scope: str, email: str) -> bool:
    """Count one sending of the form ``scope`` and say whether it is within the limit."""
    host = request.client.host if request.client else ""
    keys = {"client": throttle_key(host), "email": email.strip().lower()}
    return within_limit(site, scope, keys, settings_of(site).public_forms_per_hour, WINDOW)
