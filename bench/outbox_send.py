"""How fast the outbox sends a newsletter to a real SMTP server (aiosmtpd
on 127.0.0.1), on SQLite and (``--postgres``) PostgreSQL: N messages
queued in one transaction (``at_once=False``), then one worker round
(``core.mail.flush``) over one SMTP connection. Prints messages per second
and the machine's load, since the figure means little without it.

    .venv/bin/python bench/outbox_send.py --messages 2000 --postgres
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ["PARAPLY_DAILY_JOBS"] = "0"

from aiosmtpd.controller import Controller  # noqa: E402

from bench.databases import each_database  # noqa: E402
from core import mail  # noqa: E402
from core.mail import Mail, queue_mail  # noqa: E402
from core.testing import SmtpInbox, free_port, make_test_site, smtp_settings  # noqa: E402


def run(label: str, url: str, folder: Path, count: int) -> None:
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        site = make_test_site(
            folder, [], database_url=url, extra=smtp_settings(port, from_address="info@bench.example")
        )
        started = time.perf_counter()
        with site.session() as db:
            for n in range(count):
                queue_mail(site, Mail(f"p{n}@bench.example", "Nyhetsbrev", f"Hej {n}!\n", "sv"), db, at_once=False)
            db.commit()
        queued = time.perf_counter() - started
        started = time.perf_counter()
        sent, left = mail.flush(site)
        elapsed = time.perf_counter() - started
        site.dispose()
    finally:
        controller.stop()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{label}: {count} queued in {queued:.1f} s; {sent} sent in {elapsed:.1f} s = {sent / elapsed:.0f} messages/s "
        f"({len(inbox.envelopes)} received, {left} left); load average {load}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="also run on a throw-away PostgreSQL cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, folder in each_database(Path(tmp), args.postgres):
            run(label, url, folder, args.messages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
