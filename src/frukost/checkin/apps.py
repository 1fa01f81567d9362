from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "frukost.checkin"
    label = "checkin"
    verbose_name = _("Check-in")

    def ready(self) -> None:
        from frukost.checkin.codes import code_for_message
        from frukost.mail.renderers import register_checkin_code_hook

        register_checkin_code_hook(code_for_message)

        # The end of an event's day: its attendance becomes final (no-shows), once a day.
        from frukost.checkin.attendance import close_finished_events
        from frukost.core.periodic import register_daily

        register_daily("attendance", close_finished_events)

        # "Attended" (yes / no-show) as a column of the registrations export.
        from frukost.checkin.attendance import export_column
        from frukost.registrations.exports import add_column

        add_column(export_column())
