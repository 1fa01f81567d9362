from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "frukost.core"
    label = "core"
