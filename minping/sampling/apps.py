from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    name = "minping.sampling"
    label = "sampling"
    verbose_name = _("Phone surveys and samples")

    def ready(self):
        from minping.sampling import workbench  # noqa: F401 (registers its sections)
