"""Erasing personal data: the primitives that retention and a person's own request share.

Each works on a set of registration ids, writes with a few UPDATE/DELETE statements (no
per-row work, so a retention run over 100,000 rows stays quick) and is idempotent: erasing what
is already gone changes nothing. What is erased is gone from the database, not hidden: the
columns are blanked in place, the personal links deleted, and the outbox rows that were about
the person lose their recipient, subject and bodies. Ids, statuses and times stay, so the
counts (headcount, waiting list, who came) remain right; call sites that need counts of the
erased answers themselves (diets, membership) must tally them before erasing.

Call inside a transaction (the caller's change and its audit entry go together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, Q

from frukost.catering.models import CateringList
from frukost.followup.models import Feedback
from frukost.invitations import funnel
from frukost.invitations.models import InvitationLink, InvitationList, Invitee
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import PersonalLink, Registration

# What each kind of erasure blanks (the Registration columns).
NEEDS_BLANK = {"diets": [], "diet_other": "", "other_needs": ""}
MEMBERSHIP_BLANK = {"membership": ""}
IDENTITY_BLANK = {
    "first_name": "",
    "last_name": "",
    "email": "",
    "workplace": "",
    "job_title": "",
    "answer": "",
    # The names this person gave for their colleagues, and the one their inviter gave for themselves.
    "colleague_names": "",
    "invited_by_name": "",
    "language": "sv",
    "wants_future_invitations": False,
}


def _ids(registration_ids: Iterable[int]) -> list[int]:
    return sorted(set(registration_ids))


def erase_needs(registration_ids: Iterable[int]) -> int:
    """Blank diets, the diet note and other needs. Returns how many registrations had any."""
    ids = _ids(registration_ids)
    has_needs = ~Q(diets=[]) | ~Q(diet_other="") | ~Q(other_needs="")
    return Registration.objects.filter(pk__in=ids).filter(has_needs).update(**NEEDS_BLANK)


def erase_membership(registration_ids: Iterable[int]) -> int:
    """Blank the membership answer. Returns how many registrations had one."""
    ids = _ids(registration_ids)
    return Registration.objects.filter(pk__in=ids).exclude(membership="").update(**MEMBERSHIP_BLANK)


def anonymise(registration_ids: Iterable[int], *, now: dt.datetime) -> int:
    """Erase everything that identifies the people: names, address, workplace, title, the answer
    to the event's question and the special-category answers; delete their personal links (so
    every link stops working) and scrub the outbox rows about them (queued ones are withdrawn
    first: they would go to nobody). The row stays with `anonymised_at` set, for the counts.

    Returns how many registrations were anonymised now (those already anonymised are skipped).
    """
    ids = list(
        Registration.objects.filter(pk__in=_ids(registration_ids), anonymised_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    _forget_in_inviters_lists(ids)
    count = Registration.objects.filter(pk__in=ids).update(
        **IDENTITY_BLANK, **NEEDS_BLANK, **MEMBERSHIP_BLANK, anonymised_at=now
    )
    # Their colleagues' rows keep the name they gave as inviter (what the invitation says).
    Registration.objects.filter(invited_by_id__in=ids).exclude(invited_by_name="").update(invited_by_name="")
    PersonalLink.objects.filter(registration_id__in=ids).delete()
    scrub_outbox(OutboxMessage.objects.filter(registration_id__in=ids))
    # Their feedback stays as the event's, with nothing left that ties it to a person: the row has
    # no name now, and the answer to the contact question goes (a lead is contacts' own record).
    Feedback.objects.filter(registration_id__in=ids).update(
        show_name=False, contact_consent=None, contact_consent_text="", contact_answered_at=None
    )
    return count


def _forget_in_inviters_lists(ids: list[int]) -> None:
    """Take an erased colleague's name out of the list of names their inviter gave
    (Registration.colleague_names), unless the inviter is erased in the same run anyway (retention
    erases whole events: then this is one query that finds nothing)."""
    names = (
        Registration.objects.filter(pk__in=ids, invited_by__isnull=False)
        .exclude(invited_by_id__in=ids)
        .values_list("invited_by_id", "first_name", "last_name")
    )
    for inviter_id, first_name, last_name in names:
        inviter = Registration.objects.filter(pk=inviter_id).only("colleague_names").first()
        if inviter is None:
            continue
        given = inviter.named_colleagues
        name = f"{first_name} {last_name}"
        if name in given:
            given.remove(name)
            Registration.objects.filter(pk=inviter_id).update(colleague_names="\n".join(given))


def scrub_outbox(messages) -> int:
    """Blank recipient, subject and bodies of these outbox rows (queued ones become skipped: a
    message with no recipient cannot be sent). Kind, status and times stay for the statistics."""
    messages.filter(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]).update(
        status=MessageStatus.SKIPPED, last_error="personal data erased"
    )
    return messages.exclude(to="", subject="", body_text="", body_html="", ics="", reply_to="").update(
        to="", reply_to="", subject="", body_text="", body_html="", ics="", last_error="personal data erased"
    )


def erase_catering_notes(event_ids: Iterable[int]) -> int:
    """Blank the free-text diet notes frozen in the events' catering lists (needs data too: a note
    can reveal health or religion). The counts per diet and the headcount stay."""
    return CateringList.objects.filter(event_id__in=_ids(event_ids)).exclude(notes=[]).update(notes=[])


def erase_feedback(registration_ids: Iterable[int]) -> int:
    """Delete the feedback these people gave (their own erasure request: rating and texts go too).
    Returns how many went."""
    deleted, _rows = Feedback.objects.filter(registration_id__in=_ids(registration_ids)).delete()
    return deleted


# --- Invitation lists (frukost.invitations) ---------------------------------------------------

INVITATION_KINDS = (MailKind.INVITATION, MailKind.INVITATION_REMINDER)


def erase_invitee_membership(invitee_ids: Iterable[int]) -> int:
    """Blank the membership value an imported member register gave. Returns how many had one."""
    return Invitee.objects.filter(pk__in=_ids(invitee_ids)).exclude(membership="").update(membership="")


def erase_invitees(invitee_ids: Iterable[int]) -> int:
    """Delete invitees (their invitation links go with them), first adding what happened to each
    to their list's `erased_*` counts, so the funnel stays right; the invitation mails about them
    lose recipient, subject and bodies (a queued one is not sent). Returns how many invitees went."""
    ids = _ids(invitee_ids)
    if not ids:
        return 0
    invitees = Invitee.objects.filter(pk__in=ids)
    # Counted as the funnel counts them (invitations.funnel), list by list, so every figure it shows
    # stays the same once they are gone.
    list_ids = sorted(set(invitees.values_list("invitation_list_id", flat=True)))
    for invitation_list in InvitationList.objects.filter(pk__in=list_ids):
        theirs = invitees.filter(invitation_list=invitation_list)
        figures = funnel.count(theirs, funnel.list_events(invitation_list))
        updates = {field: F(field) + getattr(figures, step) for step, field in funnel.ERASED_FIELDS.items()}
        InvitationList.objects.filter(pk=invitation_list.pk).update(
            erased_invitees=F("erased_invitees") + theirs.count(),
            erased_reminded=F("erased_reminded") + theirs.filter(reminded_at__isnull=False).count(),
            **updates,
        )
    # Queued ones are withdrawn too: nobody is mailed about a row that is gone.
    scrub_outbox(OutboxMessage.objects.filter(kind__in=INVITATION_KINDS, ref_id__in=ids))
    InvitationLink.objects.filter(invitee_id__in=ids).delete()
    invitees.delete()
    return len(ids)
