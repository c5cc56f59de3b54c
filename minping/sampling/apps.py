from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    name = "minping.sampling"
    label = "sampling"
    verbose_name = _("Phone surveys and samples")

    def ready(self):
        from minping.evaluations import interview
        from minping.sampling import actions, workbench  # noqa: F401 (registers its sections)

        interview.on_entry(actions.count_entry)
