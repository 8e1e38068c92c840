"""Structured JSON logs; every line carries the correlation id of the request being handled."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "boxoffice"):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": correlation_id.get(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def log_config(service: str, level: str = "INFO") -> dict:
    """A logging dictConfig that sends every logger (Sanic's included) through JsonFormatter."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stdout}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": level},
        "loggers": {
            name: {"handlers": ["json"], "level": level, "propagate": False}
            for name in ("sanic.root", "sanic.error", "sanic.server", "sanic.websockets", "boxoffice")
        }
        | {
            "sanic.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "tortoise": {"handlers": ["json"], "level": "WARNING", "propagate": False},
        },
    }
