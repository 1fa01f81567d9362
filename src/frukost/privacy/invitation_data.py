"""A person's invitation data: what the organisations' invitation lists and do-not-mail lists hold
about an address, for their own access (GDPR art. 15) and erasure (art. 17).

An invitation list is made from a member register: the person did not give these details
themselves, and many on it never register. So the data shown by address covers every invitee row
of the address with an organisation (which list, which event, what the list held, what happened:
invited, opened, registered, declined, reminded, unsubscribed) and the do-not-mail entry.

Erasing deletes the invitee rows and their invitation links (the list keeps only counts) and the
mails' recipients. The do-not-mail entry is kept, with the address and the reason only, when the
person objected to being invited (they unsubscribed, or asked an organiser to put them on the
list): without it the next import would invite them again (GDPR art. 21(3), 17(3)(b) and (e)). A
bounce's entry goes with the rest. The erased rows go to the erasure journal, so a restored backup
brings no invitee back, and one who had unsubscribed is put back on the list by the replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from frukost.contacts.enums import SuppressionReason
from frukost.contacts.models import Suppression
from frukost.contacts.suppression import suppress
from frukost.core.emails import normalise_email
from frukost.core.erasure_journal import Entry
from frukost.core.models import audit
from frukost.events.models import STOCKHOLM
from frukost.invitations.models import Invitee
from frukost.privacy.erasure import erase_invitees
from frukost.registrations.enums import Language, Membership

# The entries a person's objection keeps on the list after an erasure (a bounce is no objection).
OBJECTIONS = (SuppressionReason.UNSUBSCRIBED, SuppressionReason.ADDED)


def _field(key: str, label: str, value: Any) -> dict[str, Any]:
    return {"key": key, "label": str(label), "value": value}


def _label(name: str) -> str:
    return capfirst(str(Invitee._meta.get_field(name).verbose_name))


def _time(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value, STOCKHOLM) if value else None


def _invitees(pairs: Iterable[tuple[int, str]]):
    """The invitee rows of these (organisation id, address) pairs, with their list and event (one query)."""
    condition = Q(pk__in=[])
    for organisation_id, email in set(pairs):
        condition |= Q(invitation_list__organisation_id=organisation_id, email=email)
    return (
        Invitee.objects.filter(condition)
        .exclude(email="")
        .select_related("invitation_list__event", "invitation_list__series", "invitation_list__organisation")
        .order_by("-invitation_list__created_at", "-id")
    )


def _suppressions(pairs: Iterable[tuple[int, str]]):
    condition = Q(pk__in=[])
    for organisation_id, email in set(pairs):
        condition |= Q(organisation_id=organisation_id, email=email)
    return Suppression.objects.filter(condition).exclude(email="")


@dataclass
class InvitationData:
    """What the invitation lists and the do-not-mail list of one organisation hold about one address."""

    organisation_id: int
    email: str
    invitees: list[Invitee] = field(default_factory=list)
    suppression: Suppression | None = None
    organisation_name: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.invitees and self.suppression is None

    @property
    def sections(self) -> dict[str, dict[str, Any]]:
        return sections(self)

    @property
    def prefix(self) -> str:
        """The page's id prefix for this organisation's sections."""
        return f"i{self.organisation_id}-"

    @property
    def kept_on_list(self) -> bool:
        """Whether an erasure keeps the address on the do-not-mail list (the person objected)."""
        objected = self.suppression is not None and self.suppression.reason in OBJECTIONS
        return objected or any(invitee.unsubscribed_at for invitee in self.invitees)


def invitation_data(pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], InvitationData]:
    """{(organisation id, address): InvitationData} for each pair, in two queries however many."""
    pairs = [(organisation_id, normalise_email(email)) for organisation_id, email in pairs if email]
    found = {pair: InvitationData(organisation_id=pair[0], email=pair[1]) for pair in pairs}
    if not found:
        return found
    for invitee in _invitees(found):
        found[(invitee.invitation_list.organisation_id, invitee.email)].invitees.append(invitee)
    for row in _suppressions(found):
        found[(row.organisation_id, row.email)].suppression = row
    return found


def _invitee_entry(invitee: Invitee) -> list[dict[str, Any]]:
    invitation_list = invitee.invitation_list
    target = invitation_list.event.title if invitation_list.event_id else invitation_list.series.name
    membership = str(Membership(invitee.membership).label) if invitee.membership in Membership.values else ""
    language = str(Language(invitee.language).label) if invitee.language in Language.values else ""
    return [
        _field("list", _("Invitation list"), invitation_list.name),
        _field("event", _("Invited to"), target),
        _field("imported_at", _("On the list since"), _time(invitation_list.created_at)),
        _field("first_name", _label("first_name"), invitee.first_name),
        _field("last_name", _label("last_name"), invitee.last_name),
        _field("email", _label("email"), invitee.email),
        _field("workplace", _label("workplace"), invitee.workplace),
        _field("job_title", _label("job_title"), invitee.job_title),
        _field("region", _label("region"), invitee.region),
        _field("membership", _("Member (from the member register)"), membership),
        _field("language", _label("language"), language),
        _field("invited_at", _("Invitation sent"), _time(invitee.invited_at)),
        _field("opened_at", _("You opened the invitation"), _time(invitee.opened_at)),
        _field("registered_at", _("You registered"), _time(invitee.registered_at)),
        _field("declined_at", _("You said you cannot come"), _time(invitee.declined_at)),
        _field("reminded_at", _("Reminder sent"), _time(invitee.reminded_at)),
        _field("unsubscribed_at", _("You unsubscribed"), _time(invitee.unsubscribed_at)),
    ]


def sections(data: InvitationData) -> dict[str, dict[str, Any]]:
    """The two sections of the person's data (the same shape as privacy.selfservice's)."""
    fields = []
    if data.suppression is not None:
        row = data.suppression
        fields = [
            _field("reason", _("Why"), str(row.get_reason_display())),
            _field("since", _("Since"), _time(row.created_at)),
            _field("detail", _("Detail"), row.detail),
        ]
    return {
        "invitation_lists": {
            "title": _("Invitation lists you are on"),
            "entries": [_invitee_entry(invitee) for invitee in data.invitees],
        },
        "do_not_mail": {"title": _("No more invitations (the do-not-mail list)"), "fields": fields},
    }


@dataclass(frozen=True)
class Erased:
    """What an erasure of invitation data did, for the caller's journal line and page."""

    invitees: list[tuple[int, dt.datetime]]
    unsubscribed: list[tuple[int, dt.datetime]]
    kept_on_list: bool


def erase_invitation_data(*, organisation, email: str) -> Erased:
    """Delete the address's invitee rows with `organisation` (and their links), keep its do-not-mail
    entry (address and reason, the note blanked) only if the person objected, and create one if an
    invitee row says they unsubscribed but the list has no entry. Call inside the caller's
    transaction; the caller journals `Erased` on its line (core.erasure_journal.record)."""
    email = normalise_email(email)
    data = invitation_data([(organisation.pk, email)])[(organisation.pk, email)] if email else None
    if data is None or data.is_empty:
        return Erased(invitees=[], unsubscribed=[], kept_on_list=False)
    with transaction.atomic():
        invitees = [(invitee.pk, invitee.invitation_list.created_at) for invitee in data.invitees]
        unsubscribed = [
            (invitee.pk, invitee.invitation_list.created_at)
            for invitee in data.invitees
            if invitee.unsubscribed_at
        ]
        kept = data.kept_on_list
        erase_invitees([pk for pk, _created in invitees])
        row = data.suppression
        if kept and (row is None or row.reason not in OBJECTIONS):
            suppress(organisation=organisation, email=email, reason=SuppressionReason.UNSUBSCRIBED)
        elif kept:
            Suppression.objects.filter(pk=row.pk).exclude(detail="").update(detail="")
        elif row is not None:
            row.delete()
        audit(
            "invitations.erased_by_person",
            organisation_id=organisation.pk,
            invitees=len(invitees),
            kept_on_list=kept,
        )
    return Erased(invitees=invitees, unsubscribed=unsubscribed, kept_on_list=kept)


def replay_invitees(entry: Entry) -> int:
    """Erase again the invitees of a journal line that a restored backup brought back, and put those
    who had unsubscribed back on the do-not-mail list (only rows whose id, organisation and list's
    creation time match the line). Returns how many invitees were erased again."""
    erase = {row.id: row for row in entry.invitees}
    unsubscribed = {row.id: row for row in entry.unsubscribed}
    if not erase and not unsubscribed:
        return 0
    erased = 0
    with transaction.atomic():
        found = Invitee.objects.select_related("invitation_list__organisation").filter(
            pk__in=[*erase, *unsubscribed]
        )
        for invitee in found:
            invitation_list = invitee.invitation_list

            def named(row, invitee=invitee, invitation_list=invitation_list) -> bool:
                return row is not None and entry.names(
                    row,
                    pk=invitee.pk,
                    organisation_id=invitation_list.organisation_id,
                    created=invitation_list.created_at,
                )

            if named(unsubscribed.get(invitee.pk)) and invitee.email:
                suppress(
                    organisation=invitation_list.organisation,
                    email=invitee.email,
                    reason=SuppressionReason.UNSUBSCRIBED,
                )
            if named(erase.get(invitee.pk)):
                erase_invitees([invitee.pk])
                erased += 1
        if erased:
            audit("invitations.erased_by_person", organisation_id=entry.organisation_id, invitees=erased)
    return erased
