"""The WSGI application the benchmarks serve: the project as deployed, plus one bare JSON view through the same
middleware, so the cost of casting can be compared with the cost of Django itself in the same run."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minping.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

application = get_wsgi_application()

import minping.urls  # noqa: E402


def bare(request):
    return JsonResponse({"ok": True})


minping.urls.urlpatterns.append(path("bench/bare", bare))
