"""Ätbart för bi och människa: the park at the Bofors station area, its beds,
crops, members, work sessions and pollinator counts.

Written as a third-party plugin would be: it imports from core only through
the public interface (``core.api``, ``core.hookimpl``), and is registered
through the ``paraply.plugins`` entry point, not as a built-in.
"""
