"""Walk-ins: someone who did not register comes to the door and is given a seat in seconds.

The seat comes from registrations.services.door (the same event lock as online registrations,
so the two never overbook by accident); this module decides who may ask, and checks the person
in within the same transaction: nothing is half-saved. When every seat is taken, door staff are
told to ask an organiser; a member who manages events may give a seat beyond capacity, which is
audited as its own action.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frukost.accounts import access
from frukost.accounts.enums import Permission
from frukost.accounts.exceptions import NotAllowed
from frukost.checkin.exceptions import EventFull, InvalidWalkIn, WalkInRefused
from frukost.checkin.models import CheckIn
from frukost.core.formats import clock
from frukost.core.models import audit
from frukost.registrations.enums import Language
from frukost.registrations.exceptions import (
    EventNotOpen,
    InvalidRegistrationData,
    NoFreeSeat,
    RegistrationClosed,
)
from frukost.registrations.models import Registration
from frukost.registrations.services.door import seat_at_door


@dataclass(frozen=True)
class WalkInResult:
    registration: Registration
    check_in: CheckIn
    # The address was registered already: that person was checked in, nobody new was added.
    found: bool
    # That person had been checked in before (another device, an earlier tap).
    already: bool = False

    @property
    def message(self) -> str:
        values = {"name": self.registration.full_name, "time": clock(self.check_in.checked_in_at)}
        if self.found and self.already:
            return _("The address belongs to %(name)s, who was already checked in at %(time)s.") % values
        if self.found:
            return (
                _("The address was already registered, for %(name)s: checked in at %(time)s instead.")
                % values
            )
        return _("%(name)s added and checked in at %(time)s.") % values


def may_seat_beyond_capacity(member) -> bool:
    """Whether the member may decide to seat someone when the event is full (organisers)."""
    return access.has_permission(member, Permission.MANAGE_EVENTS)


def _field_error(field: str) -> InvalidWalkIn:
    messages = {
        "first_name": _("Write the first name."),
        "last_name": _("Write the last name."),
        "email": _("Write the e-mail address like this: namn@exempel.se, or leave it empty."),
    }
    return InvalidWalkIn(field, messages.get(field, _("Check this field.")))


def register_walk_in(
    *,
    event,
    first_name: str,
    last_name: str,
    workplace: str = "",
    email: str = "",
    language: Language | str = Language.SWEDISH,
    actor,
    beyond_capacity: bool = False,
) -> WalkInResult:
    """Register someone at the door and check them in at once (CheckIn.walk_in).

    The e-mail is optional. Given, it is normalised and validated, and an address already
    registered for the event finds that person, who is checked in instead (`found`; seated and
    confirmed first if they were waiting or unconfirmed). No confirmation is e-mailed at the
    door. Raises NotAllowed unless the actor may check people in at this event (and, with
    `beyond_capacity`, manage events); EventFull when every seat is taken; InvalidWalkIn for an
    empty name or a malformed address; WalkInRefused for a draft, cancelled or ended event.
    """
    member = access.membership(actor, event.organisation)
    if member is None or not access.events_for(member, Permission.CHECK_IN).filter(pk=event.pk).exists():
        raise NotAllowed(Permission.CHECK_IN)
    if beyond_capacity and not may_seat_beyond_capacity(member):
        raise NotAllowed(Permission.MANAGE_EVENTS)
    try:
        with transaction.atomic():
            seat = seat_at_door(
                event=event, first_name=first_name, last_name=last_name, email=email,
                workplace=workplace, language=language, actor=actor, beyond_capacity=beyond_capacity,
            )  # fmt: skip
            registration = seat.registration
            if seat.found:  # a tap on the same person may be on its way: lock them as a tap does
                list(Registration.objects.select_for_update().filter(pk=registration.pk).values_list("pk"))
            existing = CheckIn.objects.filter(registration=registration).first()
            if existing is not None:
                return WalkInResult(registration, existing, found=True, already=True)
            row = CheckIn.objects.create(
                registration=registration,
                event_id=registration.event_id,
                checked_in_at=timezone.now(),
                checked_in_by=actor,
                walk_in=not seat.found,
            )
            event_id, registration_id = registration.event_id, registration.pk
            if seat.beyond_capacity:
                audit(
                    "checkin.walk_in_beyond_capacity",
                    event_id=event_id, registration_id=registration_id, actor=actor,
                )  # fmt: skip
            audit(
                "checkin.checked_in" if seat.found else "checkin.walk_in",
                event_id=event_id, registration_id=registration_id, actor=actor,
            )  # fmt: skip
    except InvalidRegistrationData as exc:
        raise _field_error(exc.field) from exc
    except NoFreeSeat as exc:
        if may_seat_beyond_capacity(member):
            text = _("Every seat is taken. You can give a seat beyond capacity.")
            raise EventFull(text, can_decide=True) from exc
        raise EventFull(_("Full – ask an organiser to decide."), can_decide=False) from exc
    except EventNotOpen as exc:
        raise WalkInRefused(_("The event is not open: a draft or cancelled event takes nobody.")) from exc
    except RegistrationClosed as exc:
        raise WalkInRefused(_("The event has ended.")) from exc
    return WalkInResult(registration, row, found=seat.found)
