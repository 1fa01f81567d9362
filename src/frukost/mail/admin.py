from django.contrib import admin

from frukost.mail.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    exclude = ["body_text", "body_html", "ics"]  # they carry personal links

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
