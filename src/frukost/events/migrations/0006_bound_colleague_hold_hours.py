# The next migration makes the database refuse a hold shorter than an hour or longer than
# 30 days. Existing values are brought inside first: 0 already meant "the site default" (the
# service read it as false), and anything longer is cut to 30 days.

from django.db import migrations

MAX_COLLEAGUE_HOLD_HOURS = 30 * 24


def bound_colleague_hold_hours(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(colleague_hold_hours=0).update(colleague_hold_hours=None)
    Event.objects.filter(colleague_hold_hours__gt=MAX_COLLEAGUE_HOLD_HOURS).update(
        colleague_hold_hours=MAX_COLLEAGUE_HOLD_HOURS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_organisation_colour_constraint"),
    ]

    operations = [
        migrations.RunPython(bound_colleague_hold_hours, migrations.RunPython.noop, elidable=True),
    ]
