from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do in one organisation (see access.PERMISSIONS)."""

    OWNER = "owner", _("Owner")
    ORGANISER = "organiser", _("Organiser")
    DOOR = "door", _("Door staff")
    REPRESENTATIVE = "representative", _("Local representative")


class Permission(models.TextChoices):
    """The rights the back office, commands and the API check. Roles grant sets of these."""

    MANAGE_ORGANISATION = "manage_organisation", _("Change the organisation's settings")
    MANAGE_MEMBERS = "manage_members", _("Invite and remove members, change roles")
    VIEW_AUDIT_LOG = "view_audit_log", _("Read the audit log")
    MANAGE_EVENTS = "manage_events", _("Create, change, publish and cancel events")
    VIEW_REGISTRATIONS = "view_registrations", _("See and change registrations")
    # Union membership, diets and needs (GDPR art. 9).
    VIEW_SPECIAL_CATEGORY = "view_special_category", _("See membership, diets and needs")
    EXPORT = "export", _("Export personal data")
    SEND_MESSAGES = "send_messages", _("E-mail attendees")
    CHECK_IN = "check_in", _("Check attendees in at the door")
    # The people who said yes to being contacted after an event (frukost.contacts.Lead).
    VIEW_LEADS = "view_leads", _("See and follow up leads")
