from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from frukost.registrations.enums import ACTIVE_STATUSES
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Organisers' list of registrations until the back office exists.

    Special-category answers (membership, diet, needs) are shown on the change page only, never
    in the list, and the personal links are not shown at all.
    """

    list_display = ["full_name", "email", "event", "status", "confirmed", "colleague_of", "created_at"]
    list_filter = ["status", ("event", admin.RelatedOnlyFieldListFilter), "event__organisation"]
    search_fields = ["first_name", "last_name", "email", "workplace"]
    list_select_related = ["event", "invited_by"]
    date_hierarchy = "created_at"
    actions = ["cancel_selected"]
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

    @admin.action(description=_("Cancel the selected registrations (the waiting list moves up)"))
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for registration in queryset.filter(status__in=ACTIVE_STATUSES):
            cancel_registration(registration=registration, actor=request.user)
            cancelled += 1
        self.message_user(request, _("%(count)d registrations cancelled.") % {"count": cancelled})
