"""Static files with content-hashed names, cached for a year.

Templates link ``static('core', 'paraply.css')``, which gives
``/static/core/paraply.1a2b3c4d5e.css``: the file's name with the first
hex digits of a hash of its bytes. A browser may keep that URL for a year
without asking again (``immutable``), because a changed file gets a new
name. The plain name (``/static/core/paraply.css``) still works, for old
pages and links from elsewhere, with a short cache: it can change under
the same URL. A hashed name that no longer matches the file (a page
cached from before a deploy) gets today's file with the short cache too,
never a year's promise about content it does not have.

Uploaded files keep their random names for ever (core.images), so
``/uploads/`` is cached for a year as well.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from threading import Lock

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: A year, the longest lifetime HTTP caches are asked to honour.
LONG_CACHE = "public, max-age=31536000, immutable"
#: Plain names can change content: caches check again after an hour.
SHORT_CACHE = "public, max-age=3600"
HASH_LENGTH = 10

_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)$")


class FileHashes:
    """Content hashes of the files in one folder, kept until a file changes
    (its size or modification time), so a page render costs one ``stat``
    per linked file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._known: dict[str, tuple[int, int, str]] = {}
        self._lock = Lock()

    def digest(self, path: str) -> str | None:
        """The hash of ``path`` (relative to the folder), or None when it is
        not a file inside the folder."""
        full = (self.directory / path).resolve()
        if not full.is_relative_to(self.directory):
            return None
        try:
            stat = full.stat()
        except OSError:
            return None
        if not full.is_file():
            return None
        with self._lock:
            known = self._known.get(path)
        if known and known[:2] == (stat.st_size, stat.st_mtime_ns):
            return known[2]
        digest = hashlib.sha256(full.read_bytes()).hexdigest()[:HASH_LENGTH]
        with self._lock:
            self._known[path] = (stat.st_size, stat.st_mtime_ns, digest)
        return digest

    def hashed_name(self, path: str) -> str:
        """``css/site.css`` -> ``css/site.<hash>.css``; the name unchanged
        when the file is missing or has no suffix (the link then 404s or
        serves with the short cache, as it did before)."""
        digest = self.digest(path)
        head, _, name = path.rpartition("/")
        stem, dot, suffix = name.rpartition(".")
        if digest is None or not dot or not stem:
            return path
        return f"{head}/{stem}.{digest}.{suffix}" if head else f"{stem}.{digest}.{suffix}"


class HashedStaticFiles(StaticFiles):
    """StaticFiles that also answers the hashed names ``FileHashes`` makes,
    and says how long each answer may be cached."""

    def __init__(self, *, directory: Path, hashes: FileHashes) -> None:
        super().__init__(directory=directory)
        self.hashes = hashes

    async def get_response(self, path: str, scope: Scope) -> Response:
        cache = SHORT_CACHE
        match = _HASHED.match(path.replace(os.sep, "/"))
        plain = f"{match['stem']}{match['suffix']}" if match else None
        if match and plain is not None and not (self.hashes.directory / path).exists():
            digest = self.hashes.digest(plain)
            if digest is not None:
                path = plain
                if digest == match["digest"]:
                    cache = LONG_CACHE
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = cache
        return response


class LongLivedFiles(StaticFiles):
    """StaticFiles for files whose names never get new content (uploads,
    named at random on upload)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = LONG_CACHE
        return response


class StaticAssets:
    """The site's static folders by source name ("core", a plugin's name,
    "site"), and the hashed URL of each file in them."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.hashes = {source: FileHashes(folder) for source, folder in folders.items()}

    def url(self, source: str, path: str) -> str:
        hashes = self.hashes.get(source)
        name = hashes.hashed_name(path) if hashes else path
        return f"/static/{source}/{name}"
