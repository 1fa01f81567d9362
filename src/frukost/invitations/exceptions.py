"""Why an invitation list could not be read or imported. Each carries a sentence for the organiser."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class InvitationError(Exception):
    """Base of the invitations app's refusals; `message` is shown to the organiser as it is."""

    message = _("The invitation list cannot be imported.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class UnreadableFile(InvitationError):
    """Not a CSV or Excel file we can read: empty, too large, too many rows, a broken workbook, …"""

    message = _("The file cannot be read. Save it as CSV (UTF-8) or Excel (.xlsx) and try again.")


class NoEmailColumn(InvitationError):
    """No column holds e-mail addresses (or none was chosen)."""

    message = _("Choose the column that holds the e-mail addresses.")


class UploadExpired(InvitationError):
    """The file kept between the preview and the confirmation is gone (purged, or another person's)."""

    message = _("The uploaded file is no longer kept (it is deleted after an hour). Upload it again.")


class NothingToImport(InvitationError):
    """No row would become an invitee: the list would be empty."""

    message = _(
        "No one on the list can be invited: everyone is already invited, registered, "
        "on the do-not-mail list or has an address that does not work."
    )
