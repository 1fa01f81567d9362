from django.contrib import admin

from frukost.core.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "event_id", "registration_id", "actor"]
    list_filter = ["action"]
    readonly_fields = ["at", "action", "actor", "event_id", "registration_id", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser
