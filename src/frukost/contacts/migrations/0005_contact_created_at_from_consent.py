"""Contacts made before they had a creation time get the time of their last consent: the earliest
time the row is known to have existed with what it holds now."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")  # noqa: N806
    Contact.objects.update(created_at=F("consented_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0004_contact_created_at"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
