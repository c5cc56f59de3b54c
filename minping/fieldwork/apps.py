from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minping.fieldwork"
    label = "fieldwork"
    verbose_name = _("Cadres in the field")

    def ready(self):
        from minping.fieldwork import files, signals, workbench  # noqa: F401 (register their parts)
