"""Peer-health messages, stored in Swedish and shown in the reader's language.

The poller writes a peer's last error to its row (``Peer.last_error``) as
plain Swedish: the log, ``bench/`` and anyone reading the database see a
sentence. Each sentence is a msgid marked with ``N_`` in core's fetcher
(``core.api.Fetcher``), ``parse.py`` or ``runtime.py`` with its details (a host, a status code, a
size) filled in, so it can be read back: ``translate`` matches the stored
text against those msgids, takes the details out and fills them into the
translation. A part that matches none of them (an older wording, a message
cut at the column's 500 characters) is shown as stored, marked Swedish.

The msgids are read from the modules' source with Babel's extractor, the
same one ``paraply translations update`` uses, so a new or reworded message
is recognised without a second list to keep in step.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_file

from core.api import SOURCE_LOCALE, Fetcher, current_locale, current_translator, gettext

#: The modules whose messages end up in ``Peer.last_error``: the fetcher
#: (core's, found by its source file) and this plugin's own.
SOURCES = (inspect.getsourcefile(Fetcher) or "", "parse.py", "runtime.py")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifg]")
#: Before a message: ``"Nyheter: "``, the kind of feed that failed.
_LABEL = r"(?:(?P<label>[^\s:]{1,40}): )?"
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Part:
    """One message of a stored error, ready to show; ``lang`` is set when it
    could not be translated and is shown as stored."""

    text: str
    lang: str = ""


@cache
def _templates() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Every marked message of ``SOURCES`` as (msgid, pattern that reads it back)."""
    folder = Path(__file__).parent
    found: dict[str, re.Pattern[str]] = {}
    for name in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", folder / name, keywords={"N_": None, "_": None, "gettext": None}
        ):
            if not isinstance(message, str) or message in found:
                continue
            pattern, last = [], 0
            for match in _PLACEHOLDER.finditer(message):
                pattern += [re.escape(message[last : match.start()]), f"(?P<{match.group(1)}>.+?)"]
                last = match.end()
            pattern.append(re.escape(message[last:]))
            found[message] = re.compile(_LABEL + "".join(pattern) + r"(?=\s|$)")
    # Longest first: a specific message ("felkod 404 (sidan finns inte)")
    # before a general one that would also match it.
    return tuple(sorted(found.items(), key=lambda item: -len(item[0])))


def _language() -> str:
    translator = current_translator.get()
    return translator.locale if translator is not None else (current_locale.get() or SOURCE_LOCALE)


def translate(stored: str) -> list[Part]:
    """A stored error (one or more messages, joined by spaces or newlines) in
    the current request's language. Swedish is shown as stored, without
    reading the messages (about 0.1 s, once per process)."""
    text = stored.strip()
    if _language() == SOURCE_LOCALE:
        return [Part(text)] if text else []
    parts: list[Part] = []
    position, unknown_from = 0, None
    while position < len(text):
        for msgid, pattern in _templates():
            found = pattern.match(text, position)
            if found is None:
                continue
            if unknown_from is not None:
                parts.append(Part(text[unknown_from:position].strip(), "sv"))
                unknown_from = None
            details = {k: v for k, v in found.groupdict().items() if k != "label"}
            label = found.group("label")
            message = gettext(msgid) % details if details else gettext(msgid)
            parts.append(Part(f"{gettext(label)}: {message}" if label else message))
            position = found.end()
            break
        else:
            if unknown_from is None:
                unknown_from = position
            space = _SPACE.search(text, position)
            position = space.end() if space else len(text)
            continue
        while position < len(text) and text[position].isspace():
            position += 1
    if unknown_from is not None:
        parts.append(Part(text[unknown_from:].strip(), "sv"))
    return parts
