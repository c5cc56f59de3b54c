from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "minping.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self):
        from minping.results import panels  # noqa: F401 (registers its part of the campaign page)
