from django.urls import path

from . import views

urlpatterns = [
    path("provinces/", views.ProvinceList.as_view(), name="province-list"),
    path("districts/", views.DistrictList.as_view(), name="district-list"),
    path("communes/", views.CommuneList.as_view(), name="commune-list"),
    path("communes/<str:code>/", views.CommuneDetail.as_view(), name="commune-detail"),
]
