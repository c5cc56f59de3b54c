from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "minping.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self):
        from minping.imports import workbench  # noqa: F401 (registers its workbench section)
