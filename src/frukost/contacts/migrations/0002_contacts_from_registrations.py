"""Registrations that ticked "future invitations" before consents had a table of their own become
contacts, so that their wish outlives the registration's retention.

The exact words they saw are not known any more (the label changed once), so the recorded text says
that it was carried over, with the label as it reads now; the time is when they registered (or
confirmed, for a colleague). The newest registration per organisation and address wins.
"""

from django.db import migrations

CARRIED_OVER = {
    "sv": (
        "Ja, jag vill få inbjudningar till kommande evenemang "
        "(överfört från anmälan %(date)s; formuleringen kan då ha varit en tidigare version)"
    ),
    "en": (
        "Yes, send me invitations to future events "
        "(carried over from the registration of %(date)s; the wording then may have been an earlier one)"
    ),
}


def forwards(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    Contact = apps.get_model("contacts", "Contact")
    seen = set(Contact.objects.values_list("organisation_id", "email"))
    ticked = (
        Registration.objects.filter(wants_future_invitations=True, anonymised_at__isnull=True)
        .exclude(email="")
        .select_related("event")
        .order_by("-created_at", "-id")
    )
    for registration in ticked.iterator():
        key = (registration.event.organisation_id, registration.email.strip().lower())
        if key in seen:
            continue
        seen.add(key)
        when = registration.confirmed_at or registration.created_at
        language = registration.language if registration.language in CARRIED_OVER else "sv"
        Contact.objects.create(
            organisation_id=key[0],
            email=key[1],
            first_name=registration.first_name,
            last_name=registration.last_name,
            workplace=registration.workplace,
            job_title=registration.job_title,
            language=language,
            consented_at=when,
            consent_text=CARRIED_OVER[language] % {"date": when.date().isoformat()},
            source_event_id=registration.event_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_contact"),
        ("registrations", "0003_registration_anonymised"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
