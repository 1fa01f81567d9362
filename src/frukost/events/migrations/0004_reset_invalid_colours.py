# The brand colour was checked only by forms; the next migration makes the database refuse
# anything but #rrggbb, so colours written some other way are reset to the default first.

import re

from django.db import migrations

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#6a1b4d"


def reset_invalid_colours(apps, schema_editor):
    Organisation = apps.get_model("events", "Organisation")
    invalid = [
        pk
        for pk, colour in Organisation.objects.values_list("pk", "colour")
        if not HEX_COLOUR.fullmatch(colour or "")
    ]
    Organisation.objects.filter(pk__in=invalid).update(colour=DEFAULT_COLOUR)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_remove_organisation_members"),
    ]

    operations = [
        migrations.RunPython(reset_invalid_colours, migrations.RunPython.noop, elidable=True),
    ]
