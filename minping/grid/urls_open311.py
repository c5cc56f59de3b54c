from django.urls import path, re_path

from minping.grid import open311

app_name = "open311"
urlpatterns = [
    path("services.<str:fmt>", open311.services, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_-]{1,40})\.(?P<fmt>[a-z]+)$", open311.service_definition, name="service"),
    path("requests.<str:fmt>", open311.requests_view, name="requests"),
    re_path(r"^requests/(?P<pk>[0-9]{1,18})\.(?P<fmt>[a-z]+)$", open311.request_detail, name="request"),
]
