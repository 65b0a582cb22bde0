from django.urls import path

from . import views

app_name = "communes"
urlpatterns = [
    path("districts/", views.district_list, name="district-list"),
    path("communes/", views.commune_list, name="commune-list"),
    path("communes/<str:code>/", views.commune_detail, name="commune-detail"),
    path("communes/<str:code>/recognitions/", views.recognition_add, name="recognition-add"),
    path("communes/<str:code>/village-recognitions/", views.village_recognition_add, name="village-recognition-add"),
    path("targets/", views.targets, name="targets"),
]
