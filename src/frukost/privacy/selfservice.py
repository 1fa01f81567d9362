"""A person's own access to their data and its erasure (GDPR art. 15, 17 and 20), without an account.

Two ways in: the personal link (one registration) and a link e-mailed to an address on request
(every registration with that address). Both show `personal_data`, offer it as JSON and erase a
registration with `erase_registration`, the same service the back office or an API would call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from frukost.contacts.enums import LeadKind
from frukost.contacts.models import Contact, Lead, Suppression
from frukost.contacts.services import withdraw_lead
from frukost.core import erasure_journal, ratelimit
from frukost.core.models import audit
from frukost.events.models import STOCKHOLM, Organisation
from frukost.invitations.models import Invitee
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.mail.outbox import enqueue
from frukost.privacy import invitation_data
from frukost.privacy.erasure import anonymise, erase_feedback
from frukost.privacy.exceptions import AlreadyErased, LinkInvalid
from frukost.registrations.enums import Diet, Language, Membership, Status
from frukost.registrations.links import issue_link
from frukost.registrations.models import Registration, normalise_email
from frukost.registrations.services import cancel_before_erasure, withdraw_future_invitations
from frukost.registrations.services.seats import lock_event

SCHEMA = "frukost.personal-data"
SCHEMA_VERSION = 1

DATA_REQUEST_SALT = "frukost.privacy.data-request"
DATA_REQUEST_MAX_AGE = dt.timedelta(hours=24)
# Data-request mails to one address per hour: enough for "I did not get it, send again", too
# few to use the form to flood someone's mailbox.


# --- What is stored about a registration ---------------------------------------------------
# Each section is a function of the registration returning {"title", "fields"} (one thing) or
# {"title", "entries"} (a list of things, each a list of fields). A field is {"key", "label",
# "value"}: the key for programs, the label in the reader's language, the value as stored
# (text, a list of labels, a boolean, a time in Stockholm time, or None). The page and the JSON
# are drawn from the same dict, so a new section (consent records, check-in) is one line in
# SECTIONS and appears in both.

Section = Callable[[Registration], dict[str, Any]]


def _field(key: str, label: str, value: Any) -> dict[str, Any]:
    return {"key": key, "label": str(label), "value": value}


def _label(name: str) -> str:
    return capfirst(str(Registration._meta.get_field(name).verbose_name))


def _time(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value, STOCKHOLM) if value else None


def _person(registration: Registration) -> dict[str, Any]:
    r = registration
    event = r.event
    return {
        "title": _("About you"),
        "fields": [
            _field("first_name", _label("first_name"), r.first_name),
            _field("last_name", _label("last_name"), r.last_name),
            _field("email", _label("email"), r.email),
            _field("workplace", _label("workplace"), r.workplace),
            _field("job_title", _label("job_title"), r.job_title),
            _field("language", _label("language"), Language(r.language).label if r.language else ""),
            _field(
                "membership",
                event.organisation.membership_question or _label("membership"),
                str(Membership(r.membership).label) if r.membership in Membership.values else r.membership,
            ),
            _field(
                "diets", _label("diets"), [str(Diet(c).label) if c in Diet.values else c for c in r.diets]
            ),
            _field("diet_other", _label("diet_other"), r.diet_other),
            _field("other_needs", _label("other_needs"), r.other_needs),
            _field("answer", event.custom_question or _label("answer"), r.answer),
            _field(
                "wants_future_invitations", _label("wants_future_invitations"), r.wants_future_invitations
            ),
        ],
    }


def _registration(registration: Registration) -> dict[str, Any]:
    r = registration
    return {
        "title": _("Your registration"),
        "fields": [
            _field("status", _label("status"), str(r.get_status_display())),
            _field("created_at", _label("created_at"), _time(r.created_at)),
            _field("confirmed_at", _label("confirmed_at"), _time(r.confirmed_at)),
            _field("waitlisted_at", _label("waitlisted_at"), _time(r.waitlisted_at)),
            _field("promoted_at", _label("promoted_at"), _time(r.promoted_at)),
            _field("cancelled_at", _label("cancelled_at"), _time(r.cancelled_at)),
            _field("hold_expires_at", _label("hold_expires_at"), _time(r.hold_expires_at)),
            _field("attendee_reminded_at", _label("attendee_reminded_at"), _time(r.attendee_reminded_at)),
        ],
    }


def _event(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "title": _("The event"),
        "fields": [
            _field("organisation", _("Organiser"), event.organisation.name),
            _field("title", _("Event"), event.title),
            _field("starts_at", _("Starts"), _time(event.starts_at)),
            _field("ends_at", _("Ends"), _time(event.ends_at)),
            _field("url", _("Event page"), settings.BASE_URL + event.get_absolute_url()),
        ],
    }


def _registered_by(registration: Registration) -> dict[str, Any]:
    inviter = registration.invited_by
    fields = []
    # The name the person was told in the invitation (as the inviter gave it in the form, which
    # need not be the stored person's: see registrations.services.register); nothing else of the
    # inviter's data is theirs.
    if inviter is not None and inviter.anonymised_at is None:
        fields.append(_field("name", _("Name"), registration.invited_by_name or inviter.full_name))
    return {"title": _("Registered by a colleague"), "fields": fields}


def _colleagues(registration: Registration) -> dict[str, Any]:
    # The names as this person gave them (Registration.colleague_names), whether or not each became
    # a registration: listing the registrations, or their addresses, would tell which addresses
    # were registered already (issue 7). The colleagues' own answers are theirs.
    names = registration.colleague_names_given()
    return {
        "title": _("Colleagues you registered"),
        "entries": [[_field("name", _("Name"), name)] for name in names],
    }


def _emails(registration: Registration) -> dict[str, Any]:
    # What was sent and when; the bodies are not kept after sending (frukost.mail).
    return {
        "title": _("E-mails to you"),
        "entries": [
            [
                _field("kind", _("Kind"), str(message.get_kind_display())),
                _field("created_at", _("Written"), _time(message.created_at)),
                _field("sent_at", _("Sent"), _time(message.sent_at)),
                _field("status", _("Status"), str(message.get_status_display())),
            ]
            for message in sorted(registration.messages.all(), key=lambda m: (m.created_at, m.pk))
        ],
    }


def _consent(registration: Registration) -> dict[str, Any]:
    # The consent to future invitations is kept apart from the registration (frukost.contacts), one
    # per organisation and address: read through `with_personal_data`'s annotations in a list.
    if hasattr(registration, "contact_consented_at"):
        consented_at, text = registration.contact_consented_at, registration.contact_consent_text
    else:
        contact = (
            Contact.objects.filter(
                organisation_id=registration.event.organisation_id, email=registration.email
            )
            .exclude(email="")
            .first()
        )
        consented_at, text = (contact.consented_at, contact.consent_text) if contact else (None, "")
    fields = []
    if consented_at is not None:
        fields = [
            _field("consented_at", _("You asked for them"), _time(consented_at)),
            _field("consent_text", _("The words you saw"), text),
        ]
    return {"title": _("Invitations to future events"), "fields": fields}


# A lead (frukost.contacts.Lead): the yes to "may the local representative contact you?" given
# after this registration's event, and what the representative did with it. Read as the consent
# is: through `with_personal_data`'s annotations in a list, by a query of its own alone.
LEAD_FIELDS = ("kind", "consented_at", "consent_text", "answers", "contacted_at", "note")


def _leads_of(registrations) -> QuerySet[Lead]:
    """The lead that came from the registration (by its id, or its event and address)."""
    return Lead.objects.filter(
        Q(registration_id=registrations("pk"))
        | Q(source_event_id=registrations("event_id"), email=registrations("email"))
    ).exclude(email="")


def _lead(registration: Registration) -> dict[str, Any]:
    if hasattr(registration, "lead_consented_at"):
        values = {name: getattr(registration, f"lead_{name}") for name in LEAD_FIELDS}
    else:
        lead = _leads_of(lambda name: getattr(registration, name)).order_by("-consented_at").first()
        values = {name: getattr(lead, name) for name in LEAD_FIELDS} if lead else {"consented_at": None}
    fields = []
    if values["consented_at"] is not None:
        answers = values["answers"] or {}
        kind = values["kind"]
        rating = answers.get("rating")
        fields = [
            _field("kind", _("Asked as"), str(LeadKind(kind).label) if kind in LeadKind.values else kind),
            _field("consented_at", _("You said yes"), _time(values["consented_at"])),
            _field("consent_text", _("The words you saw"), values["consent_text"]),
            _field("rating", _("Your rating"), "" if rating is None else str(rating)),
            _field("most_useful", _("What was most useful"), answers.get("most_useful", "")),
            _field("comment", _("Your comment"), answers.get("comment", "")),
            _field("contacted_at", _("The representative contacted you"), _time(values["contacted_at"])),
            _field("note", _("The representative's note"), values["note"]),
        ]
    return {"title": _("Contact from our local representative"), "fields": fields}


def _feedback(registration: Registration) -> dict[str, Any]:
    # The feedback given through the thank-you mail's link (frukost.followup), at most one.
    feedback = getattr(registration, "feedback", None)
    fields = []
    if feedback is not None:
        fields = [
            _field("rating", _("Your rating"), str(feedback.rating)),
            _field("most_useful", _("What was most useful"), feedback.most_useful),
            _field("comment", _("Your comment"), feedback.comment),
            _field("show_name", _("Your name may be shown with the comment"), feedback.show_name),
            _field("given_at", _("Given"), _time(feedback.created_at)),
            _field("changed_at", _("Last changed"), _time(feedback.updated_at)),
        ]
        if feedback.contact_consent is not None:
            fields += [
                _field("contact_consent", _("You may be contacted"), feedback.contact_consent),
                _field("contact_consent_text", _("The words you saw"), feedback.contact_consent_text),
                _field("contact_answered_at", _("You answered"), _time(feedback.contact_answered_at)),
            ]
    return {"title": _("Your feedback after the event"), "fields": fields}


def _door(registration: Registration) -> dict[str, Any]:
    # What the door recorded (frukost.checkin): when the person arrived and got the book.
    row = getattr(registration, "check_in", None)
    fields = []
    if row is not None:
        fields = [
            _field("checked_in_at", _("Checked in at the door"), _time(row.checked_in_at)),
            _field("book_handed_at", _("Book handed out"), _time(row.book_handed_at)),
            _field("walk_in", _("Registered at the door"), row.walk_in),
        ]
    return {"title": _("At the door"), "fields": fields}


def _invitation_data_of(registration: Registration) -> invitation_data.InvitationData:
    # What the organisation's invitation lists and do-not-mail list hold about the address
    # (frukost.privacy.invitation_data); a list gets it in two queries from `attach_invitation_data`.
    if not hasattr(registration, "_invitation_data"):
        pair = (registration.event.organisation_id, registration.email)
        registration._invitation_data = invitation_data.invitation_data([pair]).get(
            pair, invitation_data.InvitationData(*pair)
        )
    return registration._invitation_data


def attach_invitation_data(registrations: Sequence[Registration]) -> None:
    """Fetch the invitation data of every registration at once (two queries for the lot)."""
    found = invitation_data.invitation_data([(r.event.organisation_id, r.email) for r in registrations])
    for registration in registrations:
        pair = (registration.event.organisation_id, normalise_email(registration.email))
        registration._invitation_data = found.get(pair, invitation_data.InvitationData(*pair))


def _invitation_lists(registration: Registration) -> dict[str, Any]:
    return invitation_data.sections(_invitation_data_of(registration))["invitation_lists"]


def _do_not_mail(registration: Registration) -> dict[str, Any]:
    return invitation_data.sections(_invitation_data_of(registration))["do_not_mail"]


SECTIONS: list[tuple[str, Section]] = [
    ("person", _person),
    ("registration", _registration),
    ("event", _event),
    ("registered_by", _registered_by),
    ("colleagues", _colleagues),
    ("emails", _emails),
    ("invitations", _consent),
    ("invitation_lists", _invitation_lists),
    ("do_not_mail", _do_not_mail),
    ("lead", _lead),
    ("feedback", _feedback),
    ("door", _door),
]


def personal_data(registration: Registration) -> dict[str, Any]:
    """Everything stored about this registration, with labels in the active language.

    For a list of registrations fetch them with `with_personal_data` first: the sections read
    the prefetched colleagues and messages and add no queries of their own.
    """
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "generated_at": timezone.localtime(timezone.now(), STOCKHOLM),
        "language": translation.get_language(),
        "sections": {key: section(registration) for key, section in SECTIONS},
    }


def personal_data_of(
    registrations: Iterable[Registration], invitations: Iterable[invitation_data.InvitationData] = ()
) -> dict[str, Any]:
    """Every registration's data in one document (the download behind a data-request link), and
    the invitation data of organisations the person has no registration with."""
    registrations = list(registrations)
    attach_invitation_data([r for r in registrations if not hasattr(r, "_invitation_data")])
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "generated_at": timezone.localtime(timezone.now(), STOCKHOLM),
        "language": translation.get_language(),
        "registrations": [personal_data(registration)["sections"] for registration in registrations],
        "invitations": [
            {"organisation": data.organisation_name, **invitation_data.sections(data)} for data in invitations
        ],
    }


def with_personal_data(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """The registrations with what the sections read, in a fixed number of queries."""
    contact = Contact.objects.filter(
        organisation_id=OuterRef("event__organisation_id"), email=OuterRef("email")
    )
    lead = _leads_of(OuterRef).order_by("-consented_at")
    return (
        registrations.select_related("event__organisation", "invited_by", "feedback", "check_in")
        .prefetch_related(
            Prefetch("colleagues", queryset=Registration.objects.order_by("created_at", "id")),
            Prefetch("messages", queryset=OutboxMessage.objects.order_by("created_at", "id")),
        )
        .annotate(
            contact_consented_at=Subquery(contact.values("consented_at")[:1]),
            contact_consent_text=Subquery(contact.values("consent_text")[:1]),
            **{f"lead_{name}": Subquery(lead.values(name)[:1]) for name in LEAD_FIELDS},
        )
    )


# --- Erasure ---------------------------------------------------------------------------------


class ErasureCase(StrEnum):
    """What an erasure does to the registration besides erasing it (the erase page and the receipt
    say it)."""

    # Before the event starts, with a seat: cancelled first, the waiting list moves up.
    SEAT = "seat"
    # Before the event starts, on the waiting list: cancelled first, the queue is one shorter.
    WAITING_LIST = "waiting_list"
    # Cancelled already, or the event has started: only erased. After the start the row keeps its
    # status, so the headcount, who came and the tally stay what they were; nobody moves up.
    ERASE_ONLY = "erase_only"


def erasure_case(registration: Registration, *, now: dt.datetime | None = None) -> ErasureCase:
    now = now or timezone.now()
    if not registration.is_active or now >= registration.event.starts_at:
        return ErasureCase.ERASE_ONLY
    if registration.status == Status.WAITLISTED:
        return ErasureCase.WAITING_LIST
    return ErasureCase.SEAT


def erase_registration(*, registration: Registration, now: dt.datetime | None = None) -> Registration:
    """Erase a registration's personal data because the person asked (GDPR art. 17).

    Before the event starts an active registration is cancelled first: its seat goes to the
    waiting list and whoever moves up is mailed as usual. Once the event has started nothing is
    cancelled (the seat was used, or not: the counts and attendance stay as they were) and only
    the personal data goes. The person gets no cancellation receipt, but one erasure receipt
    composed here (while the address is still known) and tied to no registration, so nothing in
    the outbox leads back to the row; it says what happened to the seat only when something did.
    The mail worker forgets the receipt's address once it is sent. Colleagues the person
    registered keep their registrations; the subjects of the mail that told them who registered
    them lose that name. A consent to future invitations given to the same organisation is
    withdrawn too: whoever asks to be erased wants no more mail, and without a registration there
    would be no page left to untick the box on. So are their leads with the organisation (the yes
    to being contacted by the local representative): whoever asks to be erased wants no call. The
    organisation's invitation lists forget the address (privacy.invitation_data); its do-not-mail
    entry stays, address and reason only, if the person had objected to being invited.
    Colleagues whose invitations still waited for the person to confirm their address are erased
    with them (_held_colleagues). The rows (id and creation time) go to the erasure journal, so
    that a restored backup can be erased again (core.erasure_journal).

    Raises AlreadyErased if it is gone already (a second click).
    """
    now = now or timezone.now()
    with transaction.atomic():
        registration, case, moved_up, held = _erase(registration, now=now)
        receipt = _erasure_receipt(registration, case=case, moved_up=moved_up)
        withdraw_future_invitations(organisation=registration.event.organisation, email=registration.email)
        _withdraw_leads(registration)
        # The organisation's invitation lists forget the address too; the do-not-mail list keeps it
        # (address and reason) only if the person objected to being invited.
        invitations = invitation_data.erase_invitation_data(
            organisation=registration.event.organisation, email=registration.email
        )
        # Their feedback is theirs: it goes with them (retention, by contrast, keeps it nameless).
        erase_feedback([registration.pk, *held])
        anonymise([registration.pk, *held], now=now)
        audit(
            "registration.erased_by_person", event_id=registration.event_id, registration_id=registration.pk
        )
        erasure_journal.record(
            organisation_id=registration.event.organisation_id,
            registrations=list(
                Registration.objects.filter(pk__in=[registration.pk, *held]).values_list("pk", "created_at")
            ),
            invitees=invitations.invitees,
            unsubscribed=invitations.unsubscribed,
        )
        enqueue(kind=MailKind.ERASURE_RECEIPT, **receipt)
    registration.refresh_from_db()
    return registration


def _withdraw_leads(registration: Registration) -> None:
    """Every lead of the person's address with the organisation, and the one that came from this
    registration should its address have been changed since."""
    organisation = registration.event.organisation
    addresses = {registration.email} | set(
        Lead.objects.filter(organisation=organisation, registration_id=registration.pk).values_list(
            "email", flat=True
        )
    )
    for address in sorted(addresses):
        withdraw_lead(organisation=organisation, email=address)


def _erase(
    registration: Registration, *, now: dt.datetime
) -> tuple[Registration, ErasureCase, int, list[int]]:
    """Lock, cancel if the case calls for it and forget the inviter's name in the colleagues' mail:
    what an erasure does before the row is anonymised. Returns the case, how many moved up and
    the colleagues to anonymise with the row (_held_colleagues)."""
    # The event first, as every seat change locks it: the same order everywhere, no deadlock.
    lock_event(registration.event_id)
    registration = (
        Registration.objects.select_for_update().select_related("event__organisation").get(pk=registration.pk)
    )
    if registration.anonymised_at is not None:
        raise AlreadyErased
    held = _held_colleagues(registration)
    case = erasure_case(registration, now=now)
    moved_up = 0
    if case != ErasureCase.ERASE_ONLY:
        registration, moved_up = cancel_before_erasure(registration=registration)
    _forget_inviter_in_colleagues_mail(registration)
    return registration, case, moved_up, held


def _held_colleagues(registration: Registration) -> list[int]:
    """The colleagues whose invitations still wait for the person to confirm their address
    (confirm-your-address mode): the cancellation releases them unmailed, and they were never told
    of the seat, so nothing of theirs is kept but what the person typed about them. That goes with
    the person's own data (and into the journal with it)."""
    return list(
        Registration.objects.select_for_update()
        .filter(invited_by=registration, invitation_held=True, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )


def replay_erasure(
    *, registration_id: int, matches: Callable[[Registration], bool], now: dt.datetime | None = None
) -> bool:
    """Erase a registration again that a person had erased before a backup was restored (the
    journal's replay): as erase_registration, without a receipt (they had theirs) and without
    withdrawing the consent (the journal has the contact on a line of its own, replayed by
    replay_erasure_journal). Only if `matches` says the row is the one erased (its organisation
    and creation time): the restore brought the id counters back, so the id may now be someone
    else's. Returns whether there was anything left to erase."""
    now = now or timezone.now()
    registration = (
        Registration.objects.filter(pk=registration_id, anonymised_at__isnull=True)
        .select_related("event")
        .first()
    )
    if registration is None or not matches(registration):
        return False
    with transaction.atomic():
        try:
            registration, _case, _moved_up, held = _erase(registration, now=now)
        except AlreadyErased:
            return False
        erase_feedback([registration.pk, *held])
        anonymise([registration.pk, *held], now=now)
        audit(
            "registration.erased_by_person", event_id=registration.event_id, registration_id=registration.pk
        )
    return True


def _forget_inviter_in_colleagues_mail(registration: Registration) -> None:
    # "Anna Svensson has registered you: …" names the erased person in the colleague's mail
    # subject. The bodies are blanked once sent; queued ones are composed later from the (by
    # then anonymised) row.
    OutboxMessage.objects.filter(
        registration__invited_by=registration,
        kind__in=[MailKind.COLLEAGUE_INVITATION, MailKind.COLLEAGUE_REMINDER],
        rendered_at__isnull=False,
    ).exclude(subject="").update(subject="")


def _erasure_receipt(registration: Registration, *, case: ErasureCase, moved_up: int) -> dict[str, Any]:
    """The receipt's outbox fields, composed while the address is still known.

    It names the event's title and organiser, nothing else: not the person's name, no answers,
    no date or place. The title is what tells the person which of their registrations is gone
    (they may have several), and the mail goes to their own address, where their confirmation
    already named it; it stays out of the subject, which phones show on a locked screen.
    """
    event = registration.event
    organisation = event.organisation
    language = registration.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "subject": _("Your personal data has been erased"),
            "title": event.title,
            "organisation": organisation,
            # What happened to the seat, only if the erasure did something to it (case) and
            # only "it went to the next person" if someone actually moved up.
            "case": str(case),
            "moved_up": moved_up > 0,
            "contact": organisation.privacy_contact or event.contact_email,
            "language": language,
            # The organisation's own notice, as every other mail about a registration links
            # (registrations.notifications); the data-request mail, which may span several
            # organisations, links the site-wide page that lists them all.
            "privacy_url": settings.BASE_URL
            + reverse("public:organisation-privacy", kwargs={"organisation": organisation.slug}),
        }
        return {
            "to": registration.email,
            "subject": context["subject"],
            "body_text": render_to_string("privacy/mail/erasure_receipt.txt", context),
            "body_html": render_to_string("privacy/mail/erasure_receipt.html", context),
        }


def personal_page_link(*, registration: Registration) -> str:
    """A new personal link to the registration (for someone who came in through a data-request link)."""
    with transaction.atomic():
        return issue_link(registration)


# --- "Everything you hold about me", by e-mail address ---------------------------------------


def _address_digest(address: str) -> str:
    return salted_hmac(DATA_REQUEST_SALT, address, algorithm="sha256").hexdigest()[:32]


def request_data_link(*, email: str, language: str, now: dt.datetime | None = None) -> bool:
    """Mail the address a link to everything held about it, if anything is.

    Nothing is sent for an unknown address, nor past the hourly cap on mails a stranger's form can
    send one address (ratelimit.may_mail, FRUKOST_MAIL_PER_ADDRESS_PER_HOUR; counted for unknown
    addresses too, so both cost the same). Returns whether a mail was queued: for tests and logs
    only; callers must answer the same either way, or the form would tell anyone which addresses
    are registered.

    The link carries the ids of the registrations, invitee rows and do-not-mail entries with the
    address and a keyed digest of the address, signed and valid for 24 hours; not the address
    itself (a signature is not encryption, and the link ends up in browser histories and access
    logs).
    """
    address = normalise_email(email)
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Registration.objects.filter(email=address, anonymised_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Invitation lists are made from member registers: many on them never registered.
        invitees = list(Invitee.objects.filter(email=address).order_by("pk").values_list("pk", flat=True))
        suppressions = list(
            Suppression.objects.filter(email=address).order_by("pk").values_list("pk", flat=True)
        )
        if not address or not ratelimit.may_mail(address) or not (ids or invitees or suppressions):
            return False
        payload = {"r": ids, "a": _address_digest(address), "i": invitees, "s": suppressions}
        token = signing.dumps(payload, salt=DATA_REQUEST_SALT, compress=True)
        link = settings.BASE_URL + reverse("public:data-request-list", kwargs={"token": token})
        with translation.override(language):
            context = {
                "subject": _("Your link to the personal data we hold"),
                "link": link,
                "hours": int(DATA_REQUEST_MAX_AGE.total_seconds() // 3600),
                "language": language,
                # The site-wide notice: the link may show registrations with several
                # organisations, and that page lists each one's own notice.
                "privacy_url": settings.BASE_URL + reverse("public:privacy"),
            }
            enqueue(
                kind=MailKind.DATA_REQUEST,
                to=address,
                subject=context["subject"],
                body_text=render_to_string("privacy/mail/data_request.txt", context),
                body_html=render_to_string("privacy/mail/data_request.html", context),
            )
    return True


@dataclass
class LinkData:
    """What a data-request link shows: the registrations, and the invitation data (invitation lists,
    do-not-mail list) of each organisation the person has no registration with on the link."""

    registrations: list[Registration]
    invitations: list[invitation_data.InvitationData]


def _payload(token: str) -> dict[str, Any]:
    try:
        payload = signing.loads(token, salt=DATA_REQUEST_SALT, max_age=DATA_REQUEST_MAX_AGE)
        return {
            "r": [int(pk) for pk in payload["r"]],
            "a": str(payload["a"]),
            "i": [int(pk) for pk in payload.get("i", [])],
            "s": [int(pk) for pk in payload.get("s", [])],
        }
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid from None


def data_for_link(token: str) -> LinkData:
    """Everything a data-request link shows, fetched with its data (a fixed number of queries).

    Rows erased since the link was sent are left out, and so is one whose address has been
    changed since. Raises LinkInvalid for a forged or expired link, and for one that shows nothing
    any more (everything on it erased).
    """
    payload = _payload(token)
    digest = payload["a"]
    registrations = [
        registration
        for registration in with_personal_data(
            Registration.objects.filter(pk__in=payload["r"], anonymised_at__isnull=True).order_by(
                "-event__starts_at", "-created_at", "-id"
            )
        )
        if constant_time_compare(_address_digest(registration.email), digest)
    ]
    attach_invitation_data(registrations)
    with_registration = {r.event.organisation_id for r in registrations}
    pairs = {
        (organisation_id, email)
        for organisation_id, email in [
            *Invitee.objects.filter(pk__in=payload["i"]).values_list(
                "invitation_list__organisation_id", "email"
            ),
            *Suppression.objects.filter(pk__in=payload["s"]).values_list("organisation_id", "email"),
        ]
        if organisation_id not in with_registration and constant_time_compare(_address_digest(email), digest)
    }
    found = invitation_data.invitation_data(sorted(pairs)) if pairs else {}
    invitations = [data for data in found.values() if not data.is_empty]
    if invitations:
        names = dict(
            Organisation.objects.filter(pk__in=[d.organisation_id for d in invitations]).values_list(
                "pk", "name"
            )
        )
        for data in invitations:
            data.organisation_name = names.get(data.organisation_id, "")
        invitations.sort(key=lambda d: d.organisation_name)
    if not registrations and not invitations:
        raise LinkInvalid
    return LinkData(registrations=registrations, invitations=invitations)


def registrations_for_link(token: str) -> list[Registration]:
    """The registrations a data-request link shows, newest event first, fetched with their data.

    Raises LinkInvalid as data_for_link does, and for a link that shows no registration."""
    registrations = data_for_link(token).registrations
    if not registrations:
        raise LinkInvalid
    return registrations


def invitations_on_link(link: LinkData, chosen: str | None) -> invitation_data.InvitationData | None:
    """The organisation's invitation data a button on the link's page names (by organisation id)."""
    return next((d for d in link.invitations if str(d.organisation_id) == (chosen or "").strip()), None)


def erase_invitations(*, data: invitation_data.InvitationData) -> invitation_data.Erased:
    """Erase what an organisation's invitation lists hold about a person who has no registration
    with it (from the data-request link): their invitee rows and links go; the do-not-mail entry
    stays, address and reason only, if they objected to being invited. Journalled, so a restored
    backup brings no invitee back (core.erasure_journal)."""
    organisation = Organisation.objects.get(pk=data.organisation_id)
    with transaction.atomic():
        erased = invitation_data.erase_invitation_data(organisation=organisation, email=data.email)
        if erased.invitees:
            erasure_journal.record(
                organisation_id=organisation.pk,
                invitees=erased.invitees,
                unsubscribed=erased.unsubscribed,
            )
    return erased


def registration_on_link(registrations: Sequence[Registration], chosen: str | None) -> Registration | None:
    """The registration a button on the link's page names (by id: a place in the list would shift
    under a second tab once another is erased), if the link shows it."""
    return next((r for r in registrations if str(r.pk) == (chosen or "").strip()), None)


# --- After a restore: erase again what people had erased -------------------------------------


def replay_erasure_journal(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Erase again every registration and withdraw again every consent in the erasure journal
    (core.erasure_journal) that a restored backup brought back: a row whose id, organisation and
    creation time all match the line (another is somebody who got the id again after the
    restore, and is left alone). Idempotent: what is erased already is left as it is. Returns how
    many registrations, and how many consents (contacts and leads) and invitee rows, were erased
    again."""
    registrations = contacts = 0
    for entry in erasure_journal.entries():
        contacts += invitation_data.replay_invitees(entry)
        for row in entry.registrations:
            registrations += replay_erasure(
                registration_id=row.id,
                matches=lambda found, row=row, entry=entry: entry.names(
                    row, pk=found.pk, organisation_id=found.event.organisation_id, created=found.created_at
                ),
                now=now,
            )
        for row in entry.contacts:
            with transaction.atomic():
                contact = Contact.objects.select_for_update().filter(pk=row.id).first()
                if contact is None or not entry.names(
                    row, pk=contact.pk, organisation_id=contact.organisation_id, created=contact.created_at
                ):
                    continue
                Registration.objects.filter(
                    event__organisation_id=contact.organisation_id,
                    email=contact.email,
                    wants_future_invitations=True,
                ).update(wants_future_invitations=False)
                contact.delete()
                audit("contact.withdrawn", organisation_id=contact.organisation_id, contact_id=row.id)
                contacts += 1
        for row in entry.leads:
            with transaction.atomic():
                lead = Lead.objects.select_for_update().filter(pk=row.id).first()
                if lead is None or not entry.names(
                    row, pk=lead.pk, organisation_id=lead.organisation_id, created=lead.created_at
                ):
                    continue
                lead.delete()
                audit("lead.withdrawn", organisation_id=entry.organisation_id, lead_id=row.id)
                contacts += 1
    return registrations, contacts
