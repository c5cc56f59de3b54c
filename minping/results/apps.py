from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "minping.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self):
        from minping.results import panels, workbench  # noqa: F401 (register their parts of the console pages)
