from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "minping.commitments"
    label = "commitments"
    verbose_name = _("Public commitments")

    def ready(self):
        from minping.commitments import panels, subjects, workbench  # noqa: F401 (register their parts)
