"""A registration's box for future invitations, kept in step with the organisation's contacts.

Ticking the box is a consent of its own (frukost.contacts), recorded with the words the person
saw; unticking it withdraws the consent, which deletes the contact. Called by the registration
services inside their transactions.
"""

from __future__ import annotations

from frukost.contacts import services as contacts
from frukost.contacts import wording
from frukost.contacts.models import Contact
from frukost.events.models import Organisation
from frukost.registrations.models import Registration, normalise_email
from frukost.registrations.services.data import Answers


def apply_consent(
    registration: Registration, answers: Answers, *, had_consent: bool, address_proven: bool = False
) -> None:
    """Record or withdraw the consent after `registration` was saved with `answers`.

    `had_consent`: whether the registration's box was ticked before this change. A box that stays
    ticked records again only if the contact is gone (withdrawn elsewhere meanwhile).
    `address_proven`: the change came through a link mailed to the address (so a consent may lift
    the address's unsubscribe: contacts.services.record_consent); never for the public form.
    """
    organisation = registration.event.organisation
    if answers.wants_future_invitations:
        if (
            had_consent
            and Contact.objects.filter(organisation=organisation, email=registration.email).exists()
        ):
            return
        contacts.record_consent(
            organisation=organisation,
            email=registration.email,
            first_name=registration.first_name,
            last_name=registration.last_name,
            workplace=registration.workplace,
            job_title=registration.job_title,
            language=registration.language,
            text=answers.consent_text or wording.consent_text(organisation, registration.language),
            event=registration.event,
            address_proven=address_proven,
        )
    elif had_consent:
        withdraw_future_invitations(organisation=organisation, email=registration.email)


def withdraw_future_invitations(*, organisation: Organisation, email: str, actor=None) -> bool:
    """The person wants no more invitations: delete their contact and untick the box on every one
    of their registrations with the organisation (so no page shows a consent that is gone)."""
    email = normalise_email(email)
    Registration.objects.filter(
        event__organisation=organisation, email=email, wants_future_invitations=True
    ).update(wants_future_invitations=False)
    return contacts.withdraw_consent(organisation=organisation, email=email, actor=actor)
