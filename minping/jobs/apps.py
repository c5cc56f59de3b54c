from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "minping.jobs"
    label = "jobs"
    verbose_name = _("Scheduled jobs")

    def ready(self):
        autodiscover_modules("jobs")  # every app's jobs.py declares its jobs (lib.schedule)
