"""Personal links: the only way an attendee reaches their registration (no accounts)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from frukost.core.tokens import hash_token, new_token
from frukost.registrations.models import PersonalLink, Registration


def issue_link(registration: Registration) -> str:
    """Mint a new personal link and return its absolute URL (the token is not kept)."""
    token = new_token()
    PersonalLink.objects.create(registration=registration, token_hash=hash_token(token))
    return settings.BASE_URL + reverse("public:registration", kwargs={"token": token})


def registration_for_token(token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    link = (
        PersonalLink.objects.select_related("registration__event__organisation", "registration__invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return link.registration if link else None
