from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "frukost.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from frukost.core import checks  # noqa: F401 - registers the deploy checks
        from frukost.core.csrf_secrets import install as install_csrf_secrets
        from frukost.core.settings_access import install as install_settings_access
        from frukost.core.thread_locals import install as install_thread_locals

        install_csrf_secrets()
        install_settings_access()
        install_thread_locals()
