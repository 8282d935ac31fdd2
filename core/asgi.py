"""ASGI entry point for servers started by import string (``uvicorn
core.asgi:app``, several workers): the site comes from ``PARAPLY_SITE``."""

from __future__ import annotations

import os

from core.app import create_app
from core.site import Site

app = create_app(Site.load(os.environ.get("PARAPLY_SITE", "mockeln")))
