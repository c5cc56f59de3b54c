from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "minping.grid"
    label = "grid"
    verbose_name = _("Grid governance")

    def ready(self):
        from minping.grid import files, registers, workbench  # noqa: F401 (register its file rules and workbench sections)

        registers.register()  # grid assignments, importable like any register
