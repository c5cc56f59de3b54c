from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "minping.assessment"
    label = "assessment"
    verbose_name = _("Composite assessment")

    def ready(self):
        from minping.assessment import workbench  # noqa: F401 (registers its sections)
