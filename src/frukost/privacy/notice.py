"""The privacy notice of an organisation, generated from its actual settings.

The notice page (/<organisation>/integritet/), the registration form's privacy sentence and
docs/privacy.md all state the same periods: the page and the sentence read them from here, which
reads the organisation's retention settings (events.models.RETENTION_LIMITS) and the site's own
(FRUKOST_RETAIN_*), so changing a setting changes the page. Texts are built in the active
language when called.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frukost.events.models import STOCKHOLM, Organisation


def site_period(name: str) -> int:
    """A site-wide period the operator sets (docs/configuration.md), read as the retention job reads it."""
    return int(getattr(settings, name))


def days_after_event(days: int) -> str:
    if days == 1:
        return _("the day after the event")
    return ngettext("%(n)s day after the event", "%(n)s days after the event", days) % {"n": days}


def months_after_event(months: int) -> str:
    return ngettext("%(n)s month after the event", "%(n)s months after the event", months) % {"n": months}


def days_after_sending(days: int) -> str:
    return ngettext("%(n)s day after it was sent", "%(n)s days after it was sent", days) % {"n": days}


def months_after_yes(months: int) -> str:
    return ngettext("%(n)s month after you said yes", "%(n)s months after you said yes", months) % {
        "n": months
    }


@dataclass(frozen=True)
class Periods:
    """The organisation's periods in words ("the day after the event", "30 days after the event")."""

    needs: str
    membership: str
    cancelled: str
    identity: str
    links: str
    mail: str
    leads: str


def periods_for(organisation: Organisation) -> Periods:
    return Periods(
        needs=days_after_event(organisation.retain_needs_days),
        membership=days_after_event(organisation.retain_membership_days),
        cancelled=days_after_event(organisation.retain_cancelled_days),
        identity=months_after_event(organisation.retain_identity_months),
        links=days_after_event(site_period("FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT")),
        mail=days_after_sending(site_period("FRUKOST_RETAIN_MAIL_DAYS")),
        leads=months_after_yes(site_period("FRUKOST_RETAIN_LEADS_MONTHS")),
    )


def retention_sentence(organisation: Organisation) -> str:
    """One sentence for the form: when each kind of answer goes."""
    periods = periods_for(organisation)
    return _(
        "Dietary and other needs are erased %(needs)s, the membership answer %(membership)s, and your "
        "name, e-mail address, workplace and job title %(identity)s, unless you ask for future invitations."
    ) % {"needs": periods.needs, "membership": periods.membership, "identity": periods.identity}


@dataclass(frozen=True)
class Purpose:
    title: str
    data: str
    basis: str
    retention: str


def purposes(organisation: Organisation) -> list[Purpose]:
    p = periods_for(organisation)
    return [
        Purpose(
            title=_("Registration and running the event"),
            data=_(
                "Name, e-mail address, workplace, job title, language, your answer to the event's own "
                "question, whether you have a seat or are on the waiting list, and who registered you if a "
                "colleague did."
            ),
            basis=_(
                "Art. 6(1)(b) GDPR: you asked to take part, and we need this to give you a seat and tell "
                "you about the event. For a colleague registered by someone else until they confirm: art. "
                "6(1)(f), our legitimate interest in inviting them, which they may refuse by cancelling."
            ),
            retention=_(
                "Names, address, workplace, title and answer are erased %(identity)s; a cancelled or "
                "released registration %(cancelled)s. Personal links stop working %(links)s or when the "
                "registration is erased. What stays is counts: how many registered, came and cancelled."
            )
            % {"identity": p.identity, "cancelled": p.cancelled, "links": p.links},
        ),
        Purpose(
            title=_("Catering and accessibility needs"),
            data=_(
                "Special diets and allergies, other dietary needs, and other needs such as a hearing loop or "
                "sign language interpreting. They may reveal health or religion: sensitive data (art. 9)."
            ),
            basis=_(
                "Art. 9(2)(a) GDPR: your explicit consent, which you give by answering. Answering is "
                "voluntary, and you can change or remove your answers on your personal page at any time."
            ),
            retention=_(
                "Erased %(needs)s. The venue only gets the number per diet and notes without names. Those "
                "figures are kept."
            )
            % {"needs": p.needs},
        ),
        Purpose(
            title=_("The membership question"),
            data=_("Whether you are a member (you may always answer “I prefer not to say”)."),
            basis=_(
                "Art. 9(2)(a) GDPR: your explicit consent, given by answering; for a union's own members "
                "also art. 9(2)(d), the legitimate activities of a trade union with respect to its members."
            ),
            retention=_("Erased %(membership)s, once the follow-up is over. The counts are kept.")
            % {"membership": p.membership},
        ),
        Purpose(
            title=_("Invitations to future events"),
            data=_(
                "Only if you ticked the box: name, e-mail address, workplace, job title and language, with "
                "when you ticked it and the exact words you were shown."
            ),
            basis=_("Art. 6(1)(a) GDPR: your consent, which you can withdraw at any time."),
            retention=_(
                "Until you withdraw it: untick the box on your personal page, use the unsubscribe link in "
                "an invitation, or write to us. Withdrawing deletes the record. It is kept apart from your "
                "registration, which is erased as above."
            ),
        ),
        Purpose(
            title=_("Invitation lists"),
            data=_(
                "When we invite you from our member register (or from the people who asked for "
                "invitations): name, e-mail address, workplace, job title, region and language, if the "
                "register gives it whether you are a member, and what happened to the invitation: when it "
                "was sent, whether you opened it, registered, said you cannot come, were reminded or "
                "unsubscribed. We use no tracking pixels: “opened” means you used the link."
            ),
            basis=_(
                "Art. 6(1)(f) GDPR: our legitimate interest in inviting our own members to our events; for "
                "the membership value art. 9(2)(d), the legitimate activities of a trade union with respect "
                "to its members. For people who asked for invitations, their consent (above). You may "
                "object at any time with the unsubscribe link in every invitation, and we stop at once."
            ),
            retention=_(
                "The membership value is erased %(membership)s, the rest %(identity)s (for an invitation "
                "to a series of events, counted from its last event), with the links in the invitations. "
                "What stays is counts: how many were invited, opened, registered and declined."
            )
            % {"membership": p.membership, "identity": p.identity},
        ),
        Purpose(
            title=_("The do-not-mail list"),
            data=_(
                "If you unsubscribe from our invitations, if a mail server tells us your address does not "
                "exist, or if you ask us not to invite you: your e-mail address, why it is on the list, "
                "since when, and for an undeliverable address the mail server's answer. Nothing else."
            ),
            basis=_(
                "Art. 6(1)(c) and (f) GDPR and art. 21(3): we must respect your objection to being "
                "invited, and we can only do that by remembering the address. Mail about your own "
                "registration (confirmation, changes, cancellation) still reaches you."
            ),
            retention=_(
                "As long as we send invitations, also after everything else about you is erased: "
                "otherwise the next list made from the member register would invite you again. If you "
                "unsubscribed, you undo it yourself by ticking “send me invitations to future events” "
                "when you next register."
            ),
        ),
        Purpose(
            title=_("Contact from our local representative"),
            data=_(
                "Only if you said yes, after an event, to being contacted (asked of non-members and of "
                "colleagues who came along): name, e-mail address, workplace, job title, whether you were "
                "asked as a non-member or as a colleague, what you answered in the feedback, when you said "
                "yes and the exact words you were shown; and whether and when the representative contacted "
                "you, with their short note."
            ),
            basis=_(
                "Art. 6(1)(a) and 9(2)(a) GDPR: your explicit consent, which you can withdraw at any time."
            ),
            retention=_(
                "Deleted %(leads)s, or sooner if you withdraw your yes or ask us to erase your data. Only "
                "the local representative and the organisers see it."
            )
            % {"leads": p.leads},
        ),
        Purpose(
            title=_("The e-mail log"),
            data=_(
                "For each e-mail we send you: the address, the subject, the kind of message, when it was "
                "sent and whether delivery worked. Sensitive data is never put in an e-mail."
            ),
            basis=_(
                "Art. 6(1)(f) GDPR: our legitimate interest in knowing that you were told, and in fixing "
                "failed deliveries."
            ),
            retention=_(
                "The text of a message is deleted once it is sent or can no longer be delivered. The "
                "address and subject are erased %(mail)s, and with your registration."
            )
            % {"mail": p.mail},
        ),
        Purpose(
            title=_("The back office's audit log"),
            data=_(
                "What was done and when, by which of our staff, with the numbers (ids) of the registration "
                "and event: never your name, address or answers."
            ),
            basis=_(
                "Art. 6(1)(f) GDPR: our legitimate interest in security and in being able to show how "
                "personal data was handled (art. 5(2))."
            ),
            retention=_(
                "Kept with the organisation's records. Once your registration is erased, the entries no "
                "longer lead to you."
            ),
        ),
    ]


def data_request_url() -> str:
    """The page where anyone can ask, by e-mail address, for what is held about them."""
    return reverse("public:data-request")


def operator() -> tuple[str, str]:
    """(name, e-mail) of whoever runs the site for the organisations: the processor."""
    return (
        getattr(settings, "FRUKOST_OPERATOR_NAME", "") or "",
        getattr(settings, "FRUKOST_OPERATOR_EMAIL", "") or "",
    )


def generated_on(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), STOCKHOLM).date()
