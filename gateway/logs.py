"""Structured JSON logs: one object per line, with the request's ids.

Log records carry their structured fields in ``extra={"sdsx": {...}}``; the formatter merges
them into the line. Callers log record ids, never personal data (STYLE: names, CHI, NINO).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys

import orjson

__all__ = ["JsonFormatter", "configure_logging"]


class JsonFormatter(logging.Formatter):
    """Formats a log record as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "sdsx", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str = "INFO") -> None:
    """Send the gateway's logs to standard error as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("sdsx")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
