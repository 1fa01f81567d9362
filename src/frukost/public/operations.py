"""Pages for the site's operation: the accessibility statement, security.txt and the CSRF failure page."""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from frukost.public import page_cache

logger = logging.getLogger("frukost.security.csrf")

# When the accessibility statement was written and the site last assessed (see the statement).
STATEMENT_MADE = dt.date(2026, 12, 1)
LAST_ASSESSED = dt.date(2026, 12, 1)
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
DIGG_URL = "https://www.digg.se/"


def _contact_uri(contact: str) -> str:
    if contact.startswith(("mailto:", "https://", "tel:")):
        return contact
    return f"mailto:{contact}"


@require_safe
def accessibility(request):
    contact = settings.FRUKOST_ACCESSIBILITY_CONTACT
    context = {
        "operator": settings.FRUKOST_OPERATOR_NAME,
        "site": urlsplit(settings.BASE_URL).hostname or settings.BASE_URL,
        "contact": contact.removeprefix("mailto:"),
        "contact_uri": _contact_uri(contact) if contact else "",
        "statement_made": STATEMENT_MADE,
        "last_assessed": LAST_ASSESSED,
        "digg_report_url": DIGG_REPORT_URL,
        "digg_url": DIGG_URL,
    }
    if not page_cache.cacheable(request):
        return render(request, "public/accessibility.html", context)
    # The same page for every visitor in a language but their CSRF token (page_cache.py).
    return page_cache.serve(
        request,
        page_cache.static_key("accessibility", request, context),
        lambda extra: TemplateResponse(request, "public/accessibility.html", {**context, **extra}),
    )


@require_safe
def security_txt(request):
    """RFC 9116: where to report a vulnerability. Expires is always less than a year ahead."""
    contact = settings.FRUKOST_SECURITY_CONTACT
    if not contact:
        raise Http404("no security contact configured")
    today = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    expires = today + dt.timedelta(days=364)
    lines = [
        f"Contact: {_contact_uri(contact)}",
        f"Expires: {expires:%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: sv, en",
        f"Canonical: {settings.BASE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


_URL = re.compile(r"\b(https?)://([^/\s]+)\S*")


def _origin_only(text: str) -> str:
    # A Referer may be a personal link (/r/<token>/): keep its scheme and host, never its path.
    return _URL.sub(r"\1://\2", text)


def _csrf_hint(request, origin: str) -> str:
    proxy_trusted = settings.SECURE_PROXY_SSL_HEADER is not None
    forwarded_proto = request.META.get("HTTP_X_FORWARDED_PROTO")
    if origin.startswith("https://") and not request.is_secure():
        if not proxy_trusted:
            return (
                "the browser sent https but the request reached frukost as http: behind a proxy that "
                "sets X-Forwarded-Proto, set FRUKOST_BEHIND_PROXY=1"
            )
        if forwarded_proto is None:
            return (
                "FRUKOST_BEHIND_PROXY=1 but the proxy sent no X-Forwarded-Proto: add "
                "`proxy_set_header X-Forwarded-Proto $scheme;`"
            )
        return f"the proxy sent X-Forwarded-Proto: {forwarded_proto!r}, not 'https'"
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a hint must never fail the failure page
        host = ""
    if origin not in ("", "null") and urlsplit(origin).netloc != host:
        return (
            f"the browser's origin {origin} is not this request's host {host}: the proxy may rewrite Host or "
            "drop the port (pass `Host $http_host`), or list the origin in FRUKOST_CSRF_TRUSTED_ORIGINS"
        )
    return "the page was old, cookies are blocked, or the form was posted from somewhere else"


def csrf_failure(request, reason=""):
    """The visitor sees the kind page; the operator's log says what was wrong (no tokens, no data)."""
    origin = request.META.get("HTTP_ORIGIN", "")
    referer = request.META.get("HTTP_REFERER", "")
    match = getattr(request, "resolver_match", None)
    logger.warning(
        "CSRF failure on %s %s: %s | seen as %s, Origin %s, Referer %s, X-Forwarded-Proto %s, "
        "FRUKOST_BEHIND_PROXY %s, trusted origins %s | hint: %s",
        request.method,
        match.view_name if match else "(unresolved)",
        _origin_only(reason),
        "https" if request.is_secure() else "http",
        origin or "(none)",
        _origin_only(referer) if referer else "(none)",
        request.META.get("HTTP_X_FORWARDED_PROTO", "(none)"),
        "on" if settings.SECURE_PROXY_SSL_HEADER else "off",
        ", ".join(settings.CSRF_TRUSTED_ORIGINS) or "(none besides the request's own host)",
        _csrf_hint(request, origin),
    )
    return render(request, "public/csrf_failure.html", status=403)
