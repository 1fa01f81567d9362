"""A hard bounce of mail about a registration (a confirmation to a dead address, say): the address
goes on the event's organisation's do-not-mail list, so no invitation is sent to it later and the
next import shows it as undeliverable. Registered with the mail worker in RegistrationsConfig.ready
(mail knows nothing of registrations; registrations may call contacts)."""

from __future__ import annotations

from frukost.contacts import suppression
from frukost.contacts.enums import SuppressionReason
from frukost.registrations.models import Registration


def suppress_bounced_registration(message, error: str) -> None:
    if message.registration_id is None:
        return
    registration = (
        Registration.objects.select_related("event__organisation").filter(pk=message.registration_id).first()
    )
    if registration is None or not registration.email:
        return
    # The address the mail went to (the registration's may have been corrected since).
    suppression.suppress(
        organisation=registration.event.organisation,
        email=message.to or registration.email,
        reason=SuppressionReason.BOUNCED,
        detail=error,
    )
