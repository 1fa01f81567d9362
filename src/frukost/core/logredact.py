"""Personal links are secrets: no log line may carry one.

`/r/<token>/avanmal/` is written `/r/…/avanmal/` (an invitation's `/i/<token>/` `/i/…/`), wherever
it appears in a line (a request line, a full URL, a Referer). Used by the logging configuration in
settings and by gunicorn's logger (core/gunicorn.py).
"""

from __future__ import annotations

import logging
import re

REDACTED = "…"
# A personal link (/r/<token>/), an invitation's link (/i/<token>/) and a data-request link
# (/mina-uppgifter/<signed value>/).
_SECRET_PATH = re.compile(r"/(r|i|mina-uppgifter)/(?!raderade/)[^/\s?#\"'<>]+")


def redact(text: str) -> str:
    # gunicorn's logger redacts some forty strings per request: most hold no such path, and
    # these checks (each a part of what the expression needs) answer that far sooner than it.
    if "/r/" not in text and "/i/" not in text and "/mina-uppgifter/" not in text:
        return text
    return _SECRET_PATH.sub(rf"/\1/{REDACTED}", text)


class RedactTokens(logging.Filter):
    """A handler filter: formats the message once, redacted (and its traceback, if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
