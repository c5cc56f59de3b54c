from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "minping.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        from minping.evaluations import workbench  # noqa: F401 (registers its workbench sections)
