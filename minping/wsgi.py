import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minping.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (configured by the line above)

if settings.TASK_RUNNER == "thread":  # the embedded default: no Celery beat, so the web process runs the schedule
    from minping.jobs.scheduler import start_in_process

    start_in_process()
