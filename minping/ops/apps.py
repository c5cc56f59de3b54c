from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "minping.ops"
    label = "ops"
    verbose_name = "Operations"
