"""Django's own log lines never carry a personal link (issue 7)."""

from __future__ import annotations

import io
import logging

from frukost.core.logredact import RedactTokens, redact

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"


def test_redact_hides_the_token_wherever_the_path_appears():
    line = f'"GET /r/{TOKEN}/avanmal/ HTTP/1.1" 200 "https://frukost.example.se/r/{TOKEN}/"'

    assert redact(line) == '"GET /r/…/avanmal/ HTTP/1.1" 200 "https://frukost.example.se/r/…/"'


def _console() -> logging.Handler:
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    return handler


def _written_through_the_configured_handler(logger_name: str, *args, exc_info=None) -> str:
    """What the handler settings.LOGGING gives the root logger writes for one record."""
    handler = _console()
    stream = io.StringIO()
    copy = logging.StreamHandler(stream)
    copy.setFormatter(handler.formatter)
    for kept in handler.filters:
        copy.addFilter(kept)
    record = logging.getLogger(logger_name).makeRecord(
        logger_name, logging.WARNING, __file__, 1, *args, exc_info=exc_info
    )
    copy.handle(record)
    return stream.getvalue()


def test_not_found_lines_from_django_are_redacted():
    written = _written_through_the_configured_handler("django.request", "Not Found: %s", (f"/r/{TOKEN}/x/",))

    assert "Not Found: /r/…/x/" in written
    assert TOKEN not in written


def test_tracebacks_are_redacted_too():
    try:
        raise ValueError(f"bad path /r/{TOKEN}/")
    except ValueError:
        import sys

        written = _written_through_the_configured_handler(
            "django.request", "boom", (), exc_info=sys.exc_info()
        )

    assert "bad path /r/…/" in written
    assert TOKEN not in written


def test_djangos_loggers_write_only_through_the_filtered_handler():
    for name in ("django", "django.server", "django.request"):
        logger = logging.getLogger(name)
        assert logger.handlers == [], name
        assert logger.propagate, name
    assert [type(f) for f in _console().filters] == [RedactTokens]


def test_redact_hides_a_data_request_link_but_not_the_pages_without_a_secret():
    line = "GET /mina-uppgifter/eyJpZHMiOlsxXX0:1vQ:abc/ then /mina-uppgifter/ and /mina-uppgifter/raderade/"

    assert redact(line) == "GET /mina-uppgifter/…/ then /mina-uppgifter/ and /mina-uppgifter/raderade/"
