"""The back office's menus: one place that lists the pages, each with the permission it needs.

Templates render only the entries the member's role allows, so a door volunteer never sees a
link to a page that would answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from frukost.accounts import access
from frukost.accounts.enums import Permission


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    permission: Permission
    # The pages below this one (a registration's page under "Registrations"): the entry is marked current.
    also: tuple[str, ...] = ()

    def is_current(self, view_name: str) -> bool:
        return view_name == self.url_name or view_name in self.also


ORGANISATION_MENU = [
    Entry(
        _("Events"),
        "backoffice:events",
        Permission.MANAGE_EVENTS,
        ("backoffice:event-create", "backoffice:event-import"),
    ),
    Entry(_("Series"), "backoffice:series-list", Permission.MANAGE_EVENTS, ("backoffice:series",)),
    Entry(
        # "Users", not "Members": in a union a member is someone who belongs to the union.
        _("Users"),
        "backoffice:members",
        Permission.MANAGE_MEMBERS,
        (
            "backoffice:member-invite",
            "backoffice:member-edit",
            "backoffice:member-remove",
            "backoffice:invitation-withdraw",
        ),
    ),
    Entry(
        _("Asked for invitations"),
        "backoffice:contacts",
        Permission.VIEW_REGISTRATIONS,
        ("backoffice:contact-remove",),
    ),
    Entry(
        _("Do-not-mail list"),
        "backoffice:suppressions",
        Permission.VIEW_REGISTRATIONS,
        ("backoffice:suppression-add", "backoffice:suppression-remove"),
    ),
    Entry(_("Leads"), "backoffice:leads", Permission.VIEW_LEADS, ("backoffice:lead-remove",)),
    Entry(_("Settings"), "backoffice:organisation-settings", Permission.MANAGE_ORGANISATION),
    Entry(_("Audit log"), "backoffice:audit-log", Permission.VIEW_AUDIT_LOG),
]

EVENT_MENU = [
    Entry(
        _("Overview"),
        "backoffice:event",
        Permission.MANAGE_EVENTS,
        tuple(
            f"backoffice:event-{name}"
            for name in ("edit", "preview", "publish", "close", "reopen", "cancel", "clone")
        ),
    ),
    Entry(
        _("Registrations"),
        "backoffice:event-registrations",
        Permission.VIEW_REGISTRATIONS,
        tuple(
            f"backoffice:registration{suffix}"
            for suffix in ("", "-add", "-edit", "-cancel", "-promote", "-resend-link", "-revoke-links")
        ),
    ),
    Entry(_("Waiting list"), "backoffice:event-waiting-list", Permission.VIEW_REGISTRATIONS),
    Entry(
        _("Catering"),
        "backoffice:event-catering",
        Permission.VIEW_REGISTRATIONS,
        ("backoffice:event-catering-print", "backoffice:event-catering-send"),
    ),
    Entry(
        _("Attendance"),
        "backoffice:event-attendance",
        Permission.VIEW_REGISTRATIONS,
        tuple(f"backoffice:event-attendance-{name}" for name in ("close", "reopen", "arrived", "absent")),
    ),
    Entry(_("Statistics"), "backoffice:event-statistics", Permission.VIEW_REGISTRATIONS),
    Entry(_("Personal data"), "backoffice:event-personal-data", Permission.VIEW_REGISTRATIONS),
    Entry(
        _("Invitations"),
        "backoffice:event-invitations",
        Permission.MANAGE_EVENTS,
        (
            "backoffice:event-invitation-import",
            "backoffice:event-invitation-preview",
            "backoffice:invitation-list",
        ),
    ),
    Entry(
        _("Messages"),
        "backoffice:event-messages",
        Permission.SEND_MESSAGES,
        ("backoffice:event-message-new", "backoffice:event-message"),
    ),
    Entry(
        _("After the event"),
        "backoffice:event-followup",
        Permission.SEND_MESSAGES,
        ("backoffice:event-followup-thanks", "backoffice:event-followup-sorry"),
    ),
    Entry(_("Feedback"), "backoffice:event-feedback", Permission.VIEW_REGISTRATIONS),
    Entry(_("Export"), "backoffice:event-export", Permission.EXPORT),
    Entry(_("Leads"), "backoffice:event-leads", Permission.VIEW_LEADS),
    Entry(_("Door list"), "backoffice:event-door", Permission.CHECK_IN),
]


def _items(entries, member, current: str, args) -> list[dict]:
    items = []
    for entry in entries:
        if not access.has_permission(member, entry.permission):
            continue
        try:
            url = reverse(entry.url_name, args=args)
        except NoReverseMatch:
            continue  # a page this installation does not have (yet)
        items.append({"label": entry.label, "url": url, "current": entry.is_current(current)})
    return items


# Where a member lands in an organisation: the first of these their role may open (the events
# list for everyone who runs or checks in at events, the leads for a local representative).
LANDING = [
    ("backoffice:events", Permission.CHECK_IN),
    ("backoffice:leads", Permission.VIEW_LEADS),
]


def landing_url(member) -> str:
    """The member's first page in their organisation (the home page and the header link go there)."""
    for url_name, permission in LANDING:
        if access.has_permission(member, permission):
            return reverse(url_name, args=[member.organisation.slug])
    return reverse("backoffice:home")


def organisation_menu(member, current: str = "") -> list[dict]:
    return _items(ORGANISATION_MENU, member, current, [member.organisation.slug])


def event_menu(member, event, current: str = "") -> list[dict]:
    return _items(EVENT_MENU, member, current, [member.organisation.slug, event.pk])
