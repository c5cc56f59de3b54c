from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path

from minping.accounts import views as accounts_views
from minping.api import api, unknown_path
from minping.lib import ids  # noqa: F401 (registers the id path converter)
from minping.results import views as results_views


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# A request tries the patterns in order: the busiest paths come first (voters', then grid workers'), so that a
# meeting's thousands of ballots and a city's visits do not each try twenty patterns of the console first.
urlpatterns = [
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_path),
    path("v/", include("minping.evaluations.urls_vote")),
    path("grid/", include("minping.grid.urls")),
    path("", accounts_views.home, name="home"),
    path("healthz", healthz),
    path("accounts/", include("minping.accounts.urls")),
    path("console/", include("minping.org.urls")),
    path("console/imports/", include("minping.imports.urls")),
    path("console/campaigns/<id:pk>/results/", include("minping.results.urls")),
    path("console/campaigns/", include("minping.evaluations.urls")),
    path("notice/", include("minping.results.urls_public")),
    path("commitments/", include("minping.commitments.urls")),
    path("board/", include("minping.commitments.urls_public")),
    path("open311/v2/", include("minping.grid.urls_open311")),
    path("fieldwork/", include("minping.fieldwork.urls")),
    path("assessment/", include("minping.assessment.urls")),
    path("surveys/", include("minping.sampling.urls")),
    path("reception/", include("minping.fieldwork.urls_public")),
    path("me/", results_views.mine, name="mine"),
    path("me/<id:subject_pk>/", results_views.mine_subject, name="mine-subject"),
    path("console/audit/", include("minping.accounts.audit_log")),
    path("console/jobs/", include("minping.jobs.urls")),
    path("files/", include("minping.evidence.urls")),
    path("interview/", include("minping.evaluations.urls_interview")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
