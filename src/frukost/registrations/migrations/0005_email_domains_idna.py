"""Store the domain of every address in its IDNA (ASCII) form, as normalise_email now does.

A row is left as it is when the new form would collide with another active registration of the
same person for the event (the organiser sees both and can cancel one): a migration must not
fail on data, nor decide which of two registrations counts.
"""

from django.db import migrations

ACTIVE = ("registered", "waitlisted")


def _idna(address: str) -> str:
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def forwards(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    for registration in Registration.objects.exclude(email="").iterator():
        if registration.email.isascii():
            continue
        new = _idna(registration.email)
        if new == registration.email:
            continue
        clash = (
            registration.status in ACTIVE
            and Registration.objects.filter(event_id=registration.event_id, email=new, status__in=ACTIVE)
            .exclude(pk=registration.pk)
            .exists()
        )
        if not clash:
            Registration.objects.filter(pk=registration.pk).update(email=new)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0004_colleague_names_given")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
