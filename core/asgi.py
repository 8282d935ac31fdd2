"""ASGI entry point for servers started by import string (``uvicorn
core.asgi:app``, several workers): the site comes from ``PARAPLY_SITE``."""

from __future__ import annotations

import os

from core.app import create_app
from core.malloc_arenas import limit_malloc_arenas
from core.site import Site

limit_malloc_arenas()  # before the view threads start (core.malloc_arenas says why)
app = create_app(Site.load(os.environ.get("PARAPLY_SITE", "mockeln")))
