from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "minping.demo"
    label = "demo"
