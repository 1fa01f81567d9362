from django.db import migrations


def clear_held_for_confirmed(apps, schema_editor):
    """A colleague who confirmed through a link of their own before the registrant confirmed was
    left marked as waiting (fixed in confirm_colleague): they are waiting for nobody."""
    Registration = apps.get_model("registrations", "Registration")
    Registration.objects.filter(invitation_held=True, confirmed_at__isnull=False).update(
        invitation_held=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0007_abuse_colleague_limits"),
    ]

    operations = [
        migrations.RunPython(clear_held_for_confirmed, migrations.RunPython.noop),
    ]
