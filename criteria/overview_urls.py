from django.urls import path

from . import overview_views as views

app_name = "overview"
urlpatterns = [
    path("completeness/", views.completeness, name="completeness"),
    path("districts/<str:code>/", views.district, name="district"),
    path("at-risk/", views.at_risk, name="at-risk"),
    path("targets/", views.targets, name="targets"),
    path("communes/<str:code>/recognitions/", views.recognition_add, name="recognition-add"),
    path("communes/<str:code>/village-recognitions/", views.village_recognition_add, name="village-recognition-add"),
]
