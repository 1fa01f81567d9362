"""Back-office sessions end after an idle period and after a maximum age."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN = "frukost_last_seen"
SIGNED_IN_AT = "frukost_signed_in_at"


class SessionLimitsMiddleware:
    """Sign a person out after FRUKOST_SESSION_IDLE_SECONDS without a request, and in any case
    SESSION_COOKIE_AGE after they signed in (the cookie's own expiry moves with each save).

    Public pages use no sessions; this only touches requests that carry a signed-in session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # No session, so nobody is signed in: leave request.user lazy (most public pages
            # never read it).
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if (
                now - last_seen > settings.FRUKOST_SESSION_IDLE_SECONDS
                or now - signed_in_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                request.session_ended = True
            elif now - last_seen >= 60 or LAST_SEEN not in session:
                # Saving the session on every request would write to the database each time.
                session[LAST_SEEN] = now
        return self.get_response(request)
