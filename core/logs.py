"""Structured logs: with ``PARAPLY_LOG_FORMAT=json`` every log line of
``paraply serve`` (Paraply's and uvicorn's) is one JSON object (time, level,
logger, message, and the exception's type and traceback), for journald or a
log collector; otherwise plain text as before.

Log lines never carry personal data or secrets by design: Paraply's own
messages name sites, jobs and counts, not people, and uvicorn's access log
(which holds the visitor's address and the full path, tokens in links
included) is switched off here. ``redact`` is a last guard: e-mail
addresses, bearer tokens and secrets in URLs are masked in every record.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any

FORMAT_VARIABLE = "PARAPLY_LOG_FORMAT"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_BEARER = re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+")
_URL_SECRET = re.compile(r"(://[^/\s:@]+:)[^@\s/]+@")
_TOKEN_PATH = re.compile(r"(/(?:nytt-losenord|inbjudan|inloggningslank|avboka|bekrafta|callback)/)[^/\s?\"']+")


def redact(text: str) -> str:
    text = _EMAIL.sub("[e-post]", text)
    text = _BEARER.sub(r"\1[dold]", text)
    text = _URL_SECRET.sub(r"\1[dold]@", text)
    return _TOKEN_PATH.sub(r"\1[dold]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def wants_json() -> bool:
    return os.environ.get(FORMAT_VARIABLE, "").strip().lower() == "json"


def uvicorn_log_config() -> dict[str, Any]:
    """``log_config`` for uvicorn: one handler on stderr for Paraply's and
    uvicorn's loggers, JSON or text; no access log."""
    formatter = (
        {"()": "core.logs.JsonFormatter"}
        if wants_json()
        else {"()": "core.logs.RedactingFormatter", "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"paraply": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "paraply", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "paraply": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "core": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "federation": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "plugins": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
