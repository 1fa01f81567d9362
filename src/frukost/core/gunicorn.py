"""gunicorn's logger for `frukost serve`: the access and error logs never carry a personal link.

gunicorn writes the request line, the path and the Referer of every request; a personal link
(`/r/<token>/`) in any of them would put the secret in the journal and every log it is shipped
to. This logger redacts them as `/r/…/` (see core/logredact.py).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from frukost.core.logredact import RedactTokens, redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn's own messages (a worker's traceback, a bad request) go through the filter too;
        # it stays on the handlers when gunicorn reopens its log files.
        for handler in self.error_log.handlers:
            handler.addFilter(RedactTokens())
