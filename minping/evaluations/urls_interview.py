from django.urls import path

from minping.evaluations import interview

app_name = "interview"
urlpatterns = [
    path("", interview.campaign_list, name="list"),
    path("<int:pk>/", interview.interview, name="campaign"),
]
