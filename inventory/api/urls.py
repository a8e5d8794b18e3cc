from django.urls import path

from inventory.api.views import ProductViewSet

products = ProductViewSet.as_view

urlpatterns = [
    path("products", products({"get": "list", "post": "create"}), name="products"),
    path("products/<id:pk>", products({"get": "retrieve"}), name="product"),
]
