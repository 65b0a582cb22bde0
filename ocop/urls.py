from django.urls import path

from . import views

app_name = "ocop"
urlpatterns = [
    path("", views.index, name="index"),
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/ratings/", views.rating_create, name="rating-create"),
    path("products/<int:pk>/ratings/<int:rating_pk>/revoke/", views.rating_revoke, name="rating-revoke"),
    path("products/<int:pk>/flagship/", views.product_flagship, name="product-flagship"),
    path("producers/", views.producer_list, name="producer-list"),
    path("producers/new/", views.producer_create, name="producer-create"),
    path("producers/<int:pk>/", views.producer_detail, name="producer-detail"),
    path("producers/<int:pk>/edit/", views.producer_edit, name="producer-edit"),
    path("cycle/", views.cycle_board, name="cycle-board"),
    path("cycle/<int:year>/<str:district>/<int:step>/", views.cycle_step_edit, name="cycle-step-edit"),
    path("p/<uuid:public_id>/", views.public_product, name="public-product"),
    path("p/<uuid:public_id>/qr/", views.public_qr, name="public-qr"),
    path("p/<uuid:public_id>/photo/", views.public_photo, name="public-photo"),
]
