"""Fill in the organisation of audit entries written before the column existed."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    AuditLog = apps.get_model("core", "AuditLog")
    Event = apps.get_model("events", "Event")
    AuditLog.objects.filter(organisation_id__isnull=True, event_id__isnull=False).update(
        organisation_id=Subquery(Event.objects.filter(pk=OuterRef("event_id")).values("organisation_id")[:1])
    )
    # Organisation-level entries (member.added, …) carried it in their data.
    for entry in AuditLog.objects.filter(organisation_id__isnull=True).only("pk", "data").iterator():
        organisation_id = (entry.data or {}).get("organisation_id")
        if isinstance(organisation_id, int):
            AuditLog.objects.filter(pk=entry.pk).update(organisation_id=organisation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_log_organisation"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
