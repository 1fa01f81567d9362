from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frukost.mail.enums import MailKind, MessageStatus, Priority


class OutboxMessage(models.Model):
    """An e-mail, written in the same transaction as the change that caused it.

    The worker claims queued messages (status queued -> sending; see mail.worker for how several
    workers share the queue), records the moment it hands one to the mail server
    (`handed_over_at`), delivers it and retries temporary failures with backoff. The bodies carry
    personal links, so they are blanked once sent.
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
    # Transactional mail (a registration's own) goes before bulk mail (see worker.send_due).
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.TRANSACTIONAL
    )
    # Groups the messages of one bulk send; what it refers to is the sender's business (for
    # announcements, the announcement's id with kind ANNOUNCEMENT), mail does not know.
    batch_id = models.PositiveBigIntegerField(_("batch"), null=True, blank=True)
    # What the message is about when that is not a registration, as the sender's own id (for
    # invitations, the invitee's id): the sender's renderer and link hooks look it up.
    ref_id = models.PositiveBigIntegerField(_("about"), null=True, blank=True)
    to = models.EmailField(_("to"), max_length=254)
    # The message carries an unsubscribe link: the worker adds List-Unsubscribe and
    # List-Unsubscribe-Post (RFC 8058) with the URL minted for the purpose "unsubscribe".
    list_unsubscribe = models.BooleanField(_("with an unsubscribe link"), default=False)
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
    # Set (and committed) just before the message goes to the mail server, cleared at each claim:
    # a message stuck in "sending" without it was never handed over and is safe to send again;
    # a bulk one with it may have been delivered and is not sent again (mail.worker.requeue_stuck).
    handed_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at"]
        # Partial indexes where the rows looked for are few: an index whose condition a row does not
        # meet gets no entry for it, and every UPDATE of status (the claim, "sent") writes a new
        # entry into each index that does (PostgreSQL; benchmarks/README.md, "Fourth pass:
        # PostgreSQL's own CPU"). The worker's claim names 'queued' as a literal, so the planner
        # can use outbox_due even for a prepared claim.
        indexes = [
            models.Index(
                fields=["priority", "next_attempt_at"],
                name="outbox_due",
                condition=models.Q(status=MessageStatus.QUEUED),
            ),
            # The messages a stopped worker left in "sending" (mail.worker.requeue_stuck).
            models.Index(
                fields=["claimed_at"], name="outbox_sending", condition=models.Q(status=MessageStatus.SENDING)
            ),
            models.Index(
                fields=["kind", "batch_id"], name="outbox_batch", condition=models.Q(batch_id__isnull=False)
            ),
            models.Index(
                fields=["kind", "ref_id"], name="outbox_ref", condition=models.Q(ref_id__isnull=False)
            ),
            # The bulk rate counts the bulk messages claimed in the last minute (mail.worker).
            models.Index(fields=["priority", "claimed_at"], name="outbox_claimed_by_priority"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"
