"""Data migration: every user in Organisation.members becomes an organiser of that organisation."""

from django.db import migrations


def copy_members(apps, schema_editor):
    Organisation = apps.get_model("events", "Organisation")
    OrganisationMember = apps.get_model("accounts", "OrganisationMember")
    for organisation in Organisation.objects.prefetch_related("members"):
        for user in organisation.members.all():
            OrganisationMember.objects.get_or_create(
                organisation=organisation, user=user, defaults={"role": "organiser"}
            )


def copy_back(apps, schema_editor):
    OrganisationMember = apps.get_model("accounts", "OrganisationMember")
    for member in OrganisationMember.objects.select_related("organisation", "user"):
        member.organisation.members.add(member.user)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("events", "0002_organisation_slug_not_reserved"),
    ]

    operations = [migrations.RunPython(copy_members, copy_back)]
