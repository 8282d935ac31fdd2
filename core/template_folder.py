"""What ``paraply new-site`` and ``paraply new-plugin`` share: refusing a bad
or taken name, and writing a new folder from a template folder.

A template folder is copied file by file; files ending in ``.tmpl`` are filled
in with ``string.Template`` and lose the suffix, and markers in paths (such as
``__name__``) are replaced. If anything fails half-way the new folder is
removed again, so a refused or failed scaffold leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template


class ScaffoldError(Exception):
    """Why the scaffold could not be created, in Swedish and English (the
    CLI shows it to whoever typed the command, whatever their language)."""


@dataclass(frozen=True)
class NameRule:
    """What a new name may look like, and how the refusal says so."""

    pattern: re.Pattern[str]
    #: After "Använd": the rule in Swedish, ending with an example.
    swedish: str
    #: After "The name 'x'": the rule in English, ending with an example.
    english: str

    def check(self, name: str, error: type[ScaffoldError] = ScaffoldError) -> None:
        if not self.pattern.match(name):
            raise error(
                f"Namnet ”{name}” går inte att använda. Använd {self.swedish}.\nThe name {name!r} {self.english}."
            )


def refuse_existing(folder: Path, swedish: str, english: str, error: type[ScaffoldError] = ScaffoldError) -> None:
    """Never write into a folder that is there already; ``swedish`` and
    ``english`` say what to do instead."""
    if folder.exists():
        raise error(f"Mappen {folder} finns redan. {swedish}\nThe folder {folder} already exists: {english}")


@contextmanager
def new_folder(folder: Path) -> Iterator[Path]:
    """Make ``folder`` and remove it again if the block fails."""
    folder.mkdir(parents=True)
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def write_tree(
    template_dir: Path,
    folder: Path,
    context: Mapping[str, str],
    *,
    rename: Mapping[str, str] | None = None,
    skip: Callable[[Path], bool] = lambda relative: False,
) -> None:
    """Copy every file below ``template_dir`` into ``folder``: ``.tmpl`` files
    filled in from ``context``, each marker of ``rename`` in a path replaced
    (in the mapping's order), paths for which ``skip`` is true and compiled
    Python left out."""
    for source in sorted(template_dir.rglob("*")):
        relative = source.relative_to(template_dir)
        if source.is_dir() or "__pycache__" in relative.parts or skip(relative):
            continue
        target = folder / _renamed(relative, rename or {})
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".tmpl":
            text = Template(source.read_text(encoding="utf-8")).substitute(context)
            target.with_suffix("").write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, target)


def _renamed(relative: Path, rename: Mapping[str, str]) -> Path:
    parts = []
    for part in relative.parts:
        for marker, value in rename.items():
            part = part.replace(marker, value)
        parts.append(part)
    return Path(*parts)
