"""A throw-away PostgreSQL cluster for the test session (under pytest-xdist:
for each worker, since each worker is a session of its own).

Started with initdb/pg_ctl in a temporary folder on a free port (as the
``postgres`` user when the tests run as root, since PostgreSQL refuses to run
as root), with fsync off; stopped and deleted at the end. Each test gets its
own, new database (tests/conftest.py ``database_url``), so tests never see
each other's rows.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from core.testing import free_port  # worker-safe under pytest-xdist


def find_pg_bin() -> Path | None:
    """The folder with initdb and pg_ctl: PATH first, then Debian's layout."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "pg_ctl").exists() and Path(folder, "initdb").exists():
            return Path(folder)
    return None


@dataclass
class PgCluster:
    bindir: Path
    datadir: Path
    port: int
    as_user: str | None

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True)

    def initdb(self) -> None:
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-l",
            str(self.datadir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass


def start_cluster() -> PgCluster:
    """A started cluster of its own, in a new temporary folder: one per
    pytest-xdist worker (``pg_cluster`` is session-scoped, and each worker
    is a session), each on a port of the worker's own share (``free_port``)."""
    bindir = find_pg_bin()
    if bindir is None:
        raise FileNotFoundError("initdb/pg_ctl not found")
    as_user = None
    base = Path(tempfile.mkdtemp(prefix="paraply-pg-"))
    if os.geteuid() == 0:
        as_user = "postgres"
        if subprocess.run(["id", "-u", as_user], capture_output=True).returncode != 0:
            # Another worker may be adding the same user at this moment: only
            # its absence afterwards is an error.
            subprocess.run(["useradd", "--system", "--no-create-home", as_user], capture_output=True)
            subprocess.run(["id", "-u", as_user], check=True, capture_output=True)
        shutil.chown(base, user=as_user)
    cluster = PgCluster(bindir, base / "data", free_port(), as_user)
    cluster.initdb()
    # PostgreSQL cannot listen on port 0: if some other process on the machine
    # (another test run) took the port first, start again on another.
    for attempt in range(3):
        try:
            cluster.start()
            break
        except subprocess.CalledProcessError:
            log = cluster.datadir / "server.log"
            in_use = log.is_file() and "could not bind" in log.read_text(errors="replace")
            if not in_use or attempt == 2:
                raise
            cluster.port = free_port()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", cluster.port), timeout=1):
                return cluster
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not start; see " + str(cluster.datadir / "server.log"))
