"""What the back office shows of invitation lists: the lists of an event or series, and their people."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from frukost.events.models import Event, Series
from frukost.invitations import funnel
from frukost.invitations.models import InvitationList, Invitee


def lists_for(target: Event | Series) -> QuerySet[InvitationList]:
    """The lists inviting to an event (its own and its series') or to a series, with their size."""
    if isinstance(target, Series):
        where = Q(series=target)
    else:
        where = Q(event=target) | (Q(series_id=target.series_id) if target.series_id else Q(pk__in=[]))
    return (
        InvitationList.objects.filter(where, organisation_id=target.organisation_id)
        .select_related("created_by", "event", "series")
        .annotate(invitee_count=Count("invitees"))
        .order_by("-created_at", "-id")
    )


def invitees_of(invitation_list: InvitationList, *, search: str = "") -> QuerySet[Invitee]:
    """The list's people, each annotated as the funnel counts them (funnel.with_answers)."""
    invitees = funnel.with_answers(
        Invitee.objects.filter(invitation_list=invitation_list), funnel.list_events(invitation_list)
    )
    if search:
        invitees = invitees.filter(
            Q(email__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(workplace__icontains=search)
        )
    return invitees.order_by("last_name", "first_name", "id")


# An invitee's state in words, in the funnel's order (funnel.count): a registration (through the
# link or on the public page) first, then a cancelled one, "can't come", unsubscribed, no answer.
# `invitee` comes from invitees_of (annotated with has_seat and waiting).
def status_of(invitee: Invitee) -> str:
    if getattr(invitee, "has_seat", False):
        return str(pgettext_lazy("invitee", "Registered"))
    if getattr(invitee, "waiting", False):
        return str(_("On the waiting list"))
    if invitee.registered_at:
        return str(pgettext_lazy("registration status", "Cancelled"))
    if invitee.declined_at:
        return str(_("Can't come"))
    if invitee.unsubscribed_at:
        return str(_("Unsubscribed"))
    if invitee.opened_at:
        return str(_("Opened the invitation"))
    if invitee.invited_at:
        return str(_("Invited, no answer yet"))
    return str(_("Not sent yet"))
