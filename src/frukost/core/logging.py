"""Log formatting for messages that must stay on one line."""

from __future__ import annotations

import logging


class OneLineFormatter(logging.Formatter):
    """The message alone, without the traceback attached to it.

    Django logs every request for an unknown host (django.security.DisallowedHost) with the
    exception's 14-line traceback; scanners send thousands. The message already says which host.
    """

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return super().format(record).replace("\n", " ")
