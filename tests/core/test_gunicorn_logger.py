"""The access log line of `frukost serve` is gunicorn's own, with personal links redacted.

`RedactingLogger` escapes and redacts an atom only when the format reads it; these tests hold it
to gunicorn's plain `Logger` for the default format and for formats naming headers and environ
variables, so a lazier logger can never log something else.
"""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from frukost.core.gunicorn import RedactingLogger

TOKEN = "Zq3xY8pLmN0vB4cD6eF7gH1jK2lM5nO9"


def _config(access_log_format: str | None = None) -> Config:
    config = Config()
    config.set("accesslog", "-")
    if access_log_format:
        config.set("access_log_format", access_log_format)
    return config


def _request(path: str, *, referer: str = "-", agent: str = "Mozilla/5.0", query: str = ""):
    headers = [("HOST", "frukost.example"), ("USER-AGENT", agent), ("X-REQUEST-ID", "abc-123")]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + (f"?{query}" if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_USER_AGENT": agent,
        "wsgi.url_scheme": "https",
    }
    if referer != "-":
        environ["HTTP_REFERER"] = referer
        headers.append(("REFERER", referer))
    response = SimpleNamespace(
        status="200 OK", sent=1234, headers=[("Content-Type", "text/html"), ("Location", path)]
    )
    return response, SimpleNamespace(headers=headers), environ, datetime.timedelta(microseconds=2500)


def _line(logger_class, config, request) -> str:
    logger = logger_class(config)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    # gunicorn's loggers are process-wide: only this handler, so no filter another test's logger
    # left on a handler can touch the line.
    kept_handlers, logger.access_log.handlers = logger.access_log.handlers, [Keep()]
    try:
        logger.now = lambda: "[02/Dec/2026:09:00:00 +0100]"
        logger.access(*request)
    finally:
        logger.access_log.handlers = kept_handlers
    [line] = records
    return line


FORMATS = [
    None,  # gunicorn's default, what `frukost serve` uses
    '%(h)s "%(r)s" %(s)s %(U)s %(q)s %(f)s %(a)s %(m)s %(H)s %(b)s %(B)s %(T)s %(D)s %(M)s %(L)s',
    "%({x-request-id}i)s %({X-Request-Id}i)s %({location}o)s %({wsgi.url_scheme}e)s %({missing}i)s %(nope)s",
]


@pytest.mark.parametrize("access_log_format", FORMATS)
def test_a_line_without_a_secret_is_gunicorns_own(access_log_format):
    config = _config(access_log_format)
    request = _request("/chefsfrukost/", referer="https://frukost.example/", agent='Curious "bot"/1.0')

    assert _line(RedactingLogger, config, request) == _line(Logger, config, request)


@pytest.mark.parametrize("access_log_format", FORMATS)
def test_a_personal_link_is_redacted_wherever_the_format_shows_it(access_log_format):
    config = _config(access_log_format)
    path = f"/r/{TOKEN}/avanmal/"
    request = _request(path, referer=f"https://frukost.example/r/{TOKEN}/", query=f"next=/i/{TOKEN}/")

    line = _line(RedactingLogger, config, request)

    assert TOKEN not in line
    expected = _line(Logger, config, request).replace(TOKEN, "…")
    assert line == expected


def test_the_default_line_shows_the_redacted_request_and_referer():
    referer = f"https://frukost.example/r/{TOKEN}/"
    request = _request(f"/r/{TOKEN}/", referer=referer, agent='A "quoted" agent')

    line = _line(RedactingLogger, _config(), request)

    assert '"GET /r/…/ HTTP/1.1" 200 1234 "https://frukost.example/r/…/"' in line
    assert '"A \\"quoted\\" agent"' in line
