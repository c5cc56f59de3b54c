from django.urls import path

from minping.results import views

app_name = "notice"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice, name="detail"),
]
