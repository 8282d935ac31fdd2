"""Lines printed at the end of the test run, from every pytest-xdist worker.

A test that wants to tell the reader what it checked appends lines to a
section (``CHECKED = section("pages the browser tests checked")``, then
``CHECKED.append(...)``). The lists live in the process that ran the test:
under ``./run test`` that is one of several worker processes, so a
module-level list printed by a ``pytest_terminal_summary`` of its own would
be empty in the controller that prints. tests/conftest.py sends each
worker's sections to the controller at the end of the worker's session
(``config.workeroutput``), merges them, and prints every non-empty section,
its lines sorted, in ``pytest_terminal_summary``; a serial run prints its own.
"""

from __future__ import annotations

#: Section title -> its lines, in the order the sections were first asked for.
SECTIONS: dict[str, list[str]] = {}

#: The key of the sections in a worker's ``config.workeroutput``.
WORKEROUTPUT_KEY = "paraply_summary"


def section(title: str) -> list[str]:
    """The list of lines of the section ``title`` (made on first use)."""
    return SECTIONS.setdefault(title, [])


def to_workeroutput() -> dict[str, list[str]]:
    """This process's sections, as plain data execnet can send."""
    return {title: list(lines) for title, lines in SECTIONS.items()}


def merge(sent: dict[str, list[str]]) -> None:
    """Add a worker's sections to this (the controller's) process's."""
    for title, lines in sent.items():
        section(title).extend(lines)


def write(terminalreporter: object) -> None:
    """Print each non-empty section, lines sorted (workers finish in any order)."""
    for title, lines in SECTIONS.items():
        if lines:
            terminalreporter.section(title)  # type: ignore[attr-defined]
            for line in sorted(lines):
                terminalreporter.write_line(line)  # type: ignore[attr-defined]
