from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minping.fieldwork"
    label = "fieldwork"
    verbose_name = _("Cadres in the field")

    def ready(self):
        from minping.fieldwork import actions, files, workbench  # noqa: F401 (register their parts)
        from minping.grid import hooks

        hooks.on_problem_closed(actions.close_from_problem)  # a forwarded item closes with its problem
