from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """Who did what to which registration or event, and when.

    Holds no special-category data: only ids, an action name and non-sensitive details, so
    it can outlive the personal data it refers to.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    # Whose log the entry belongs to (the back office's audit log viewer filters on it). Filled in
    # from the event when only event_id is given; organisation-level actions pass it themselves.
    organisation_id = models.BigIntegerField(null=True, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    registration_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["organisation_id", "-at"], name="audit_organisation_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


def audit(
    action: str,
    *,
    event_id: int | None = None,
    registration_id: int | None = None,
    actor=None,
    organisation_id: int | None = None,
    **data,
):
    """Record an audit entry (call inside the transaction of the change it describes).

    `organisation_id` may be left out when `event_id` is given: it is then taken from the event
    inside the same INSERT (a subquery, no extra round trip).
    """
    if organisation_id is not None:
        # Callers before the column existed read it from `data`; it stays there too.
        data["organisation_id"] = organisation_id
    elif event_id is not None:
        # Looked up by name: core sits below events and must not import it.
        events = apps.get_model("events", "Event").objects.filter(pk=event_id).values("organisation_id")
        organisation_id = Subquery(events[:1])
    entry = AuditLog.objects.create(
        action=action,
        organisation_id=organisation_id,
        event_id=event_id,
        registration_id=registration_id,
        actor=actor,
        data=data,
    )
    if isinstance(organisation_id, Subquery):
        del entry.organisation_id  # read from the database if anyone asks, not the expression
    return entry


class DailyRun(models.Model):
    """The day (in Stockholm) a daily job last ran: one row per job name (see core.periodic).

    A worker claims the day with one conditional UPDATE, so however many workers run and however
    often they restart, each job runs once a day.
    """

    name = models.CharField(_("job"), max_length=64, unique=True)
    day = models.DateField(_("last run for"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily job")
        verbose_name_plural = _("daily jobs")

    def __str__(self) -> str:
        return f"{self.name} ({self.day})"
