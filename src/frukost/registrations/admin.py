from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from frukost.registrations.models import Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """The operators' view of registrations (organisers use the back office).

    Special-category answers (membership, diet, needs) are shown on the change page only, never
    in the list, and the personal links are not shown at all. There is no bulk cancel: cancelling
    mails people and moves the queue, so it happens one at a time, confirmed, in the back office.
    An edited address is lower-cased and checked against the one-active-registration rule by
    Registration.clean, so a clash is a form error rather than a database error.
    """

    list_display = ["full_name", "email", "event", "status", "confirmed", "colleague_of", "created_at"]
    list_filter = ["status", ("event", admin.RelatedOnlyFieldListFilter), "event__organisation"]
    search_fields = ["first_name", "last_name", "email", "workplace"]
    list_select_related = ["event", "invited_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "event",
        "status",
        "invited_by",
        "created_at",
        "confirmed_at",
        "waitlisted_at",
        "promoted_at",
        "cancelled_at",
        "hold_expires_at",
        "reminded_at",
        "language",
        "colleagues_added_by_others",
        "invitation_held",
    ]
    exclude = ["remind_after"]

    def has_add_permission(self, request):
        # Registrations are made through the registration service (seats, waiting list, mail).
        return False

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, registration):
        return registration.full_name

    @admin.display(description=_("confirmed"), boolean=True)
    def confirmed(self, registration):
        return registration.is_confirmed

    @admin.display(description=_("registered by"))
    def colleague_of(self, registration):
        if registration.invited_by is None:
            return ""
        url = reverse("admin:registrations_registration_change", args=[registration.invited_by_id])
        return format_html('<a href="{}">{}</a>', url, registration.invited_by.full_name)
