from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.mail.enums import MailKind, MessageStatus


class OutboxMessage(models.Model):
    """An e-mail, written in the same transaction as the change that caused it.

    The worker claims queued messages (status queued -> sending in one conditional UPDATE, so
    two workers never send the same message), delivers them and retries temporary failures
    with backoff. The bodies carry personal links, so they are blanked once sent.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=MailKind)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus, default=MessageStatus.QUEUED)
    registration = models.ForeignKey(
        "registrations.Registration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("registration"),
    )
    to = models.EmailField(_("to"), max_length=254)
    reply_to = models.EmailField(_("reply to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # Empty until the worker has composed subject and bodies (see mail.renderers).
    rendered_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"
