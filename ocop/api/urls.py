from django.urls import path

from . import views

urlpatterns = [
    path("groups/", views.GroupList.as_view(), name="ocop-group-list"),
    path("producers/", views.ProducerListCreate.as_view(), name="ocop-producer-list"),
    path("products/", views.ProductListCreate.as_view(), name="ocop-product-list"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="ocop-product-detail"),
    path("products/<int:pk>/ratings/", views.ProductRatingListCreate.as_view(), name="ocop-product-ratings"),
    path("summary/", views.Summary.as_view(), name="ocop-summary"),
]
