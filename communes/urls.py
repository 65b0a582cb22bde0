from django.urls import path

from . import views

app_name = "communes"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("districts/", views.district_list, name="district-list"),
    path("communes/", views.commune_list, name="commune-list"),
    path("communes/<str:code>/", views.commune_detail, name="commune-detail"),
]
