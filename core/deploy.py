"""``paraply deploy --domain example.se``: what a small Debian server needs
to run one site in production, written into one folder for staff to copy
into place (the checklist says where):

- ``Caddyfile``: Caddy in front, with automatic HTTPS (Let's Encrypt) for
  the domain, passing requests to the site on 127.0.0.1;
- ``paraply-<site>.service``: the site under systemd, several uvicorn
  workers (PostgreSQL: SQLite takes one writer at a time), as an
  unprivileged user, restarted if it stops;
- ``paraply-<site>-daily.service`` and ``.timer``: the daily jobs and a
  backup (``paraply daily``, ``paraply backup --keep 14``) at 03:15;
- ``paraply-<site>.env``: the secrets (a generated session key and metrics
  token, the database URL), mode 0600, never overwritten: a second run
  keeps the key, so nobody is logged out;
- ``CHECKLIST.md``: the steps, in Swedish, in order.

The site's own settings stay in site.toml: the checklist says what to set
there (``base_url``, ``[server] trusted_proxies``).
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from core.proxies import PROXY_KEEP_ALIVE_SECONDS

DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class DeployError(Exception):
    """What is wrong with the command's options, in Swedish."""


@dataclass(frozen=True)
class Plan:
    slug: str
    domain: str
    port: int
    workers: int
    user: str = "paraply"
    home: str = "/srv/paraply"

    @property
    def unit(self) -> str:
        return f"paraply-{self.slug}"

    @property
    def env_path(self) -> str:
        return f"/etc/paraply/{self.slug}.env"


def check_domain(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    if domain.startswith(("http://", "https://")) or not DOMAIN.match(domain):
        raise DeployError(
            f"{domain!r} är inte ett domännamn. Skriv bara namnet, till exempel storfors.example.se "
            "(utan https:// och utan snedstreck)."
        )
    return domain


def caddyfile(plan: Plan) -> str:
    return f"""# Caddy for {plan.domain}: HTTPS certificates from Let's Encrypt, renewed by Caddy.
# The site sends HSTS and its own security headers; Caddy passes on the
# visitor's address in X-Forwarded-For ([server] trusted_proxies = ["127.0.0.1"]).
{plan.domain} {{
\tencode zstd gzip
\trequest_body {{
\t\tmax_size 10MB
\t}}
\treverse_proxy 127.0.0.1:{plan.port} {{
\t\ttransport http {{
\t\t\tkeepalive {PROXY_KEEP_ALIVE_SECONDS}s
\t\t}}
\t}}
\tlog {{
\t\toutput file /var/log/caddy/{plan.slug}.log
\t}}
}}

www.{plan.domain} {{
\tredir https://{plan.domain}{{uri}} permanent
}}
"""


def service(plan: Plan) -> str:
    return f"""[Unit]
Description=Paraply: {plan.domain}
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=exec
User={plan.user}
Group={plan.user}
WorkingDirectory={plan.home}
EnvironmentFile={plan.env_path}
# The server never migrates: run `paraply migrate --site {plan.slug}` after an upgrade.
ExecStart={plan.home}/.venv/bin/paraply serve --site {plan.slug} \\
    --host 127.0.0.1 --port {plan.port} --workers {plan.workers}
Restart=on-failure
RestartSec=5
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths={plan.home}/data

[Install]
WantedBy=multi-user.target
"""


def daily_service(plan: Plan) -> str:
    return f"""[Unit]
Description=Paraply: daily jobs and backup of {plan.domain}
After=postgresql.service

[Service]
Type=oneshot
User={plan.user}
Group={plan.user}
WorkingDirectory={plan.home}
EnvironmentFile={plan.env_path}
ExecStart={plan.home}/.venv/bin/paraply daily --site {plan.slug}
ExecStart={plan.home}/.venv/bin/paraply backup --site {plan.slug} --to {plan.home}/backups --keep 14
NoNewPrivileges=true
PrivateTmp=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths={plan.home}/data {plan.home}/backups
"""


def daily_timer(plan: Plan) -> str:
    return f"""[Unit]
Description=Paraply: daily jobs and backup of {plan.domain}, at 03:15

[Timer]
OnCalendar=*-*-* 03:15:00
Persistent=true

[Install]
WantedBy=timers.target
"""


def env_file(plan: Plan) -> str:
    return f"""# Secrets of {plan.domain}: readable by root and the service only (mode 0600).
# Keep PARAPLY_SECRET_KEY: a new one logs everybody out.
PARAPLY_SECRET_KEY={secrets.token_urlsafe(48)}
PARAPLY_DATABASE_URL=postgresql://{plan.user}@/paraply_{plan.slug.replace("-", "_")}?host=/var/run/postgresql
PARAPLY_DATA_DIR={plan.home}/data
PARAPLY_SITES_DIR={plan.home}/sites
# The timer runs the daily jobs (paraply-{plan.slug}-daily.timer), not every worker.
PARAPLY_DAILY_JOBS=0
# For Prometheus: Authorization: Bearer <token> on https://{plan.domain}/-/metrics
PARAPLY_METRICS_TOKEN={secrets.token_urlsafe(32)}
"""


def checklist(plan: Plan) -> str:
    return f"""# Driftsättning av {plan.domain}

Gör stegen i ordning på en ny Debian 12-server, som root. Se README, avsnittet Drift.

1. DNS: {plan.domain} och www.{plan.domain} pekar på serverns adress (A/AAAA-post).
2. Paket: `apt-get install caddy postgresql python3-venv git`.
3. Användare och kod: `adduser --system --group --home {plan.home} {plan.user}`, lägg Paraply i {plan.home}
   och kör `./run --help` där som {plan.user} (skapar .venv).
4. Databas: `runuser -u postgres -- createuser {plan.user}` och
   `runuser -u postgres -- createdb -O {plan.user} paraply_{plan.slug.replace("-", "_")}`.
5. Hemligheter: `install -D -m 0600 -o root -g root {plan.unit}.env {plan.env_path}`.
6. Webbplatsen: `paraply new-site {plan.slug} --base-url https://{plan.domain} --trusted-proxy 127.0.0.1`
   (i {plan.home}, som {plan.user}). Finns den redan: i sites/{plan.slug}/site.toml ska
   `base_url = "https://{plan.domain}"` stå under [site] och `trusted_proxies = ["127.0.0.1"]` under [server].
7. Tabeller och första administratören: läs in hemligheterna (`set -a; . {plan.env_path}; set +a`) och kör
   `runuser -u {plan.user} -- {plan.home}/.venv/bin/paraply migrate --site {plan.slug}` och
   `runuser -u {plan.user} -- {plan.home}/.venv/bin/paraply create-admin --site {plan.slug}`.
8. Tjänster: kopiera {plan.unit}.service, {plan.unit}-daily.service och {plan.unit}-daily.timer till
   /etc/systemd/system/, kör `systemctl daemon-reload` och
   `systemctl enable --now {plan.unit}.service {plan.unit}-daily.timer`.
9. Caddy: kopiera Caddyfile till /etc/caddy/Caddyfile (eller lägg till blocken) och kör `systemctl reload caddy`.
10. Kontroll: `curl https://{plan.domain}/-/health` svarar `"status": "ok"`. Logga in och öppna
    Administration → Inställningar.
11. Säkerhetskopior: hamnar i {plan.home}/backups varje natt (14 sparas). Kopiera dem till en annan maskin.
12. Uppgradering: hämta ny kod, `./run --help`, `paraply migrate --site {plan.slug}`,
    `systemctl restart {plan.unit}`. Administrationssidan säger till om en migrering saknas.
"""


def write(plan: Plan, out: Path) -> list[Path]:
    """Write the files; the env file only if it is not there (its key stays)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        out / "Caddyfile": caddyfile(plan),
        out / f"{plan.unit}.service": service(plan),
        out / f"{plan.unit}-daily.service": daily_service(plan),
        out / f"{plan.unit}-daily.timer": daily_timer(plan),
        out / "CHECKLIST.md": checklist(plan),
    }
    written = []
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    env = out / f"{plan.unit}.env"
    if not env.exists():
        descriptor = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(env_file(plan))
        written.append(env)
    return written
