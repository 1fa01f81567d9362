"""Remember, per session, that the person passed a second factor.

`member_required` asks for it (see `used_second_factor`): having an authenticator is not enough,
the session itself must have used it. A session signed in with a password alone (the
operators' admin login used to allow that) is refused.
"""

from __future__ import annotations

import datetime as dt
import time

from allauth.account.signals import authentication_step_completed
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from frukost.backoffice.middleware import SIGNED_IN_AT

SECOND_FACTOR = "frukost_second_factor"


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    # The session's age (SessionLimitsMiddleware) and "set up after signing in" count from here.
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


@receiver(authentication_step_completed)
def _second_factor_used(sender, request, method, **kwargs):
    if method == "mfa" and request is not None:
        request.session[SECOND_FACTOR] = True


def used_second_factor(request) -> bool:
    """Whether this session signed in with the second factor, or set it up after signing in
    (setting up TOTP means typing a code from it: as good as signing in with it)."""
    if request.session.get(SECOND_FACTOR):
        return True
    signed_in_at = request.session.get(SIGNED_IN_AT)
    return bool(
        signed_in_at
        and Authenticator.objects.filter(
            user=request.user,
            type=Authenticator.Type.TOTP,
            created_at__gte=dt.datetime.fromtimestamp(signed_in_at, tz=dt.UTC),
        ).exists()
    )
