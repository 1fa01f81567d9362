"""gunicorn's logger for `frukost serve`: the access and error logs never carry a personal link.

gunicorn writes the request line, the path and the Referer of every request; a personal link
(`/r/<token>/`) in any of them would put the secret in the journal and every log it is shipped
to. This logger redacts them as `/r/…/` (see core/logredact.py).

gunicorn builds some forty atoms per request (every request and response header, every environ
variable) and its `SafeAtoms` escapes each of them, though the access log format uses nine. Here
an atom is escaped and redacted only when the format asks for it (`RedactedAtoms`), with the same
result as gunicorn's escaping of the redacted atoms: a third less CPU per access line
(benchmarks/README.md, "the access log").
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from frukost.core.logredact import RedactTokens, redact


class RedactedAtoms(dict):
    """gunicorn's `SafeAtoms` (a missing atom is "-", `{header}i` is case-insensitive, a `"` in a
    value is escaped), with each string redacted, computed when the format reads it."""

    def __getitem__(self, key):
        if key.startswith("{"):
            key = key.lower()
        if not dict.__contains__(self, key):
            return "-"
        value = dict.__getitem__(self, key)
        if isinstance(value, str):
            return redact(value).replace('"', '\\"')
        return value


class RedactingLogger(Logger):
    atoms_wrapper_class = RedactedAtoms

    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn's own messages (a worker's traceback, a bad request) go through the filter too;
        # it stays on the handlers when gunicorn reopens its log files.
        for handler in self.error_log.handlers:
            handler.addFilter(RedactTokens())
