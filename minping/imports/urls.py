from django.urls import path

from minping.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("new/", views.job_create, name="job-create"),
    path("<uuid:pk>/", views.job_detail, name="job-detail"),
    path("<uuid:pk>/commit/", views.job_commit, name="job-commit"),
    path("templates/<str:key>.<str:fmt>", views.template_download, name="template"),
    path("exports/<str:key>.<str:fmt>", views.export_download, name="export"),
]
