"""The one place each change to a registration happens. Views, commands and the API call these."""

from frukost.registrations.services.cancel import cancel_before_erasure, cancel_registration
from frukost.registrations.services.colleagues import (
    confirm_colleague,
    release_expired_holds,
    remind_unconfirmed_colleagues,
)
from frukost.registrations.services.consent import withdraw_future_invitations
from frukost.registrations.services.data import Answers, ColleagueData, PersonData, RegistrationResult
from frukost.registrations.services.event_changes import (
    EventChange,
    EventChangePreview,
    Recipients,
    cancel_event,
    change_capacity,
    preview_event_cancellation,
    preview_event_change,
    update_event,
)
from frukost.registrations.services.organiser import (
    RegistrationEdit,
    SpecialAnswers,
    add_registration_by_organiser,
    ensure_link_resendable,
    ensure_promotable,
    promote_registration,
    resend_personal_link,
    revoke_personal_links,
    update_registration,
)
from frukost.registrations.services.register import (
    add_colleague,
    colleagues_brought,
    owner_may_add_colleague,
    register,
    update_answers,
)
from frukost.registrations.services.reminders import send_still_coming_reminders, still_coming_send_at
from frukost.registrations.services.waitlist import (
    offer_deadline,
    pass_on_lapsed_offers,
    promote_from_waiting_list,
    take_offered_seat,
)

__all__ = [
    "Answers",
    "ColleagueData",
    "EventChange",
    "EventChangePreview",
    "Recipients",
    "PersonData",
    "RegistrationEdit",
    "RegistrationResult",
    "SpecialAnswers",
    "add_colleague",
    "cancel_before_erasure",
    "cancel_event",
    "add_registration_by_organiser",
    "cancel_registration",
    "change_capacity",
    "colleagues_brought",
    "confirm_colleague",
    "owner_may_add_colleague",
    "preview_event_cancellation",
    "preview_event_change",
    "offer_deadline",
    "pass_on_lapsed_offers",
    "promote_from_waiting_list",
    "take_offered_seat",
    "ensure_link_resendable",
    "ensure_promotable",
    "promote_registration",
    "register",
    "release_expired_holds",
    "remind_unconfirmed_colleagues",
    "resend_personal_link",
    "revoke_personal_links",
    "send_still_coming_reminders",
    "still_coming_send_at",
    "update_answers",
    "update_event",
    "update_registration",
    "withdraw_future_invitations",
]
