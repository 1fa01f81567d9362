"""The feedback form's rules: what a person answers through the link in their thank-you mail.

Who is asked "may the union contact you?" (`may_ask_contact`): a person whose membership answer
is "not a member" or "I prefer not to say" (colleagues brought along included). A member is never
asked and never becomes a lead. Nor is a person whose answer is unknown: never given (added by
the organiser, a walk-in at the door) or already erased by retention (the membership answer goes
`retain_membership_days` after the event; the feedback link `FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT`
after): "unknown" may be a member, and the rule that a member is never asked comes first. "I
prefer not to say" is asked: the question is an offer that tells the union nothing unless the
person says yes, and then they have chosen to be contacted.

A yes records the exact words shown and the time, and hands the person to contacts as a lead
(`record_lead`, kind "colleague" for someone brought along, else "not_member"); a later no
withdraws the lead. Not asked → the answer is left as it was, and no lead is made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frukost.contacts import services as contact_services
from frukost.core.models import audit
from frukost.core.text import plain_text
from frukost.events.models import Organisation
from frukost.followup.enums import RATINGS
from frukost.followup.exceptions import InvalidFeedback
from frukost.followup.models import Feedback
from frukost.registrations.enums import Membership
from frukost.registrations.models import Registration

MOST_USEFUL_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH = 2000
ASKED_MEMBERSHIP = (Membership.NOT_MEMBER, Membership.UNDISCLOSED)


@dataclass(frozen=True)
class FeedbackAnswers:
    rating: int | str | None
    most_useful: str = ""
    comment: str = ""
    show_name: bool = False
    # Only read when the person was asked (may_ask_contact): a posted value is ignored otherwise.
    contact: bool = False


def may_ask_contact(registration: Registration) -> bool:
    """Whether the form asks this person if the organisation may contact them (see the module)."""
    return registration.anonymised_at is None and registration.membership in ASKED_MEMBERSHIP


def contact_question(organisation: Organisation) -> str:
    return _("May %(organisation)s contact you?") % {"organisation": organisation.name}


def contact_label(organisation: Organisation) -> str:
    return _("Yes, %(organisation)s may contact me") % {"organisation": organisation.name}


def contact_hint(organisation: Organisation) -> str:
    return _(
        "A local representative of %(organisation)s may then e-mail you about what the union can offer "
        "you. They get your name, e-mail address, workplace, job title and your answers here. Change "
        "your mind at any time: send this form again without the tick, or write to us."
    ) % {"organisation": organisation.name}


def contact_consent_text(organisation: Organisation, language: str | None = None) -> str:
    """The question, the box's label and the hint as one text, as the person saw them."""
    with translation.override(language or translation.get_language()):
        return f"{contact_question(organisation)} {contact_label(organisation)}. {contact_hint(organisation)}"


def _clean(value: str, limit: int, field: str, errors: dict[str, str]) -> str:
    value = plain_text(value)
    if len(value) > limit:
        errors[field] = _("Write at most %(limit)d characters; this has %(length)d.") % {
            "limit": limit,
            "length": len(value),
        }
    return value


def clean_answers(answers: FeedbackAnswers) -> FeedbackAnswers:
    """The answers made safe to store, or InvalidFeedback with a message per field."""
    errors: dict[str, str] = {}
    try:
        rating = int(str(answers.rating).strip())
    except (TypeError, ValueError):
        rating = 0
    if rating not in RATINGS:
        errors["rating"] = _("Choose a rating from 1 to 5.")
    most_useful = _clean(answers.most_useful, MOST_USEFUL_MAX_LENGTH, "most_useful", errors)
    comment = _clean(answers.comment, COMMENT_MAX_LENGTH, "comment", errors)
    if errors:
        raise InvalidFeedback(errors)
    return FeedbackAnswers(
        rating=rating,
        most_useful=most_useful,
        comment=comment,
        show_name=bool(answers.show_name),
        contact=bool(answers.contact),
    )


def feedback_of(registration: Registration) -> Feedback | None:
    return Feedback.objects.filter(registration=registration).first()


def submit_feedback(
    *, registration: Registration, answers: FeedbackAnswers, language: str, now: dt.datetime | None = None
) -> Feedback:
    """Store the person's feedback (sending again updates it), and their answer to the contact
    question if they were asked: yes → a lead with the words shown, a later no → the lead withdrawn.

    All in one transaction: a refused lead leaves no half-saved feedback. Raises InvalidFeedback.
    """
    answers = clean_answers(answers)
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .select_related("event__organisation")
            .get(pk=registration.pk)
        )
        event = registration.event
        organisation = event.organisation
        feedback = Feedback.objects.select_for_update().filter(registration=registration).first()
        created = feedback is None
        if created:
            feedback = Feedback(event=event, registration=registration, created_at=now)
        previously_yes = bool(feedback.contact_consent)
        feedback.rating = answers.rating
        feedback.most_useful = answers.most_useful
        feedback.comment = answers.comment
        feedback.show_name = answers.show_name
        feedback.language = language
        feedback.updated_at = now
        asked = may_ask_contact(registration)
        if asked:
            feedback.contact_consent = answers.contact
            feedback.contact_consent_text = contact_consent_text(organisation, language)
            feedback.contact_answered_at = now
        feedback.save()
        if asked and answers.contact:
            contact_services.record_lead(
                organisation=organisation,
                event=event,
                registration_id=registration.pk,
                first_name=registration.first_name,
                last_name=registration.last_name,
                email=registration.email,
                workplace=registration.workplace,
                job_title=registration.job_title,
                language=language,
                kind="colleague" if registration.invited_by_id else "not_member",
                answers={
                    "rating": answers.rating,
                    "most_useful": answers.most_useful,
                    "comment": answers.comment,
                },
                consent_text=feedback.contact_consent_text,
                at=now,
            )
        elif asked and previously_yes:
            contact_services.withdraw_lead(organisation=organisation, email=registration.email, event=event)
        audit(
            "feedback.given" if created else "feedback.changed",
            event_id=event.pk,
            registration_id=registration.pk,
            organisation_id=organisation.pk,
        )
    return feedback
