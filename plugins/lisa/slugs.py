"""Codes for needs: stable, lower-case ASCII, from the Swedish name."""

from __future__ import annotations

import re

from plugins.lisa.directory import fold


def term_code(name: str) -> str:
    code = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    return code[:60] or "behov"
