from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`frukost seed_demo`: the demo organisation, its owner and the seed's breakfast (for `make run`)."""

    name = "frukost.demo"
    verbose_name = "Demo"
