from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from frukost.events.models import Event, Organisation, Series
from frukost.events.services import EDITABLE_FIELDS, event_problems
from frukost.registrations.enums import Status
from frukost.registrations.services import update_event


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "colour"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]


class EventAdminForm(forms.ModelForm):
    """The services' rules, checked on what the admin lets an operator change."""

    def clean(self):
        cleaned = super().clean()
        values = {f.name: getattr(self.instance, f.name) for f in Event._meta.fields} | cleaned
        for name, messages in event_problems(values).items():
            if name in self.fields and name in cleaned:
                for message in messages:
                    self.add_error(name, message)
        return cleaned


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "city", "status", "seats", "waiting", "public_link"]
    list_filter = ["status", "organisation", "city", ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["title", "host_name", "venue_name", "city", "contact_name"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["organisation", "status", "title", "slug", "series"]}),
        (_("Content"), {"fields": ["host_name", "host_role", "lead", "body", "questions", "gift"]}),
        (_("Time"), {"fields": ["starts_at", "ends_at", "doors_at"]}),
        (
            _("Place"),
            {"fields": ["venue_name", "street_address", "postal_code", "city", "online", "online_url"]},
        ),
        (
            _("Registration"),
            {
                "fields": [
                    "registration_deadline",
                    "registration_deadline_time",
                    "registration_closed_at",
                    "capacity",
                    "few_seats_threshold",
                    "max_colleagues",
                    "colleague_hold_hours",
                    "custom_question",
                ]
            },
        ),
        (_("Contact"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation")
        queryset = queryset.annotate(
            seats_taken=Count("registrations", filter=Q(registrations__status=Status.REGISTERED)),
            waiting_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        )
        return queryset

    @admin.display(description=_("seats taken"))
    def seats(self, event):
        url = reverse("admin:registrations_registration_changelist") + f"?event__id__exact={event.pk}"
        return format_html('<a href="{}">{} / {}</a>', url, event.seats_taken, event.capacity)

    @admin.display(description=_("waiting list"))
    def waiting(self, event):
        url = reverse("admin:registrations_registration_changelist") + f"?event__id__exact={event.pk}"
        return format_html('<a href="{}">{}</a>', url, event.waiting_count)

    @admin.display(description=_("page"))
    def public_link(self, event):
        return format_html('<a href="{}">{}</a>', event.get_absolute_url(), _("open"))

    # Changing the time, place, seats or status of an existing event must tell the people
    # registered (with a confirmation step first) and move the waiting list: that is the back
    # office's job (registrations.services.event_changes). Here those fields are read-only.
    SERVICE_ONLY_FIELDS = [
        "status",
        "starts_at",
        "ends_at",
        "doors_at",
        "venue_name",
        "street_address",
        "postal_code",
        "city",
        "online",
        "online_url",
        "capacity",
        "registration_closed_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.SERVICE_ONLY_FIELDS if obj is not None else ["registration_closed_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The rest (title, text, settings) goes through the same service as the back office,
        # which raises SEQUENCE only when what a calendar shows changes (here: the title).
        editable = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        update_event(
            event=obj, changes={name: form.cleaned_data[name] for name in editable}, actor=request.user
        )
        obj.refresh_from_db()
