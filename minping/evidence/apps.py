from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "minping.evidence"
    label = "evidence"
    verbose_name = _("Evidence files")

    def ready(self):
        from minping.evidence import workbench  # noqa: F401 (registers its workbench section)
