"""Evenemang: the associations' events, finding them, iCalendar and the
network calendar shared with peer sites (issue 14).

Written only on core's public interface (``core.api``); a built-in plugin,
listed in ``core.plugins.BUILTIN_PLUGINS``. Festival programmes and
registration build on the ``Event`` model in ``models.py``.
"""
