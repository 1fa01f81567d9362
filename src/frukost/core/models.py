from django.conf import settings
from django.db import models
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
    event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    registration_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


def audit(
    action: str, *, event_id: int | None = None, registration_id: int | None = None, actor=None, **data
):
    """Record an audit entry (call inside the transaction of the change it describes)."""
    return AuditLog.objects.create(
        action=action, event_id=event_id, registration_id=registration_id, actor=actor, data=data
    )
