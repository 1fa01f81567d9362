from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "frukost.public"
    label = "public"
