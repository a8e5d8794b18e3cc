from django.urls import path

from ledger.api.views.contacts import ContactDocumentsViewSet
from ledger.api.views.documents import PurchaseViewSet, SellViewSet
from ledger.api.views.payments import PaymentMethodViewSet, TransactionPaymentViewSet

sells = SellViewSet.as_view
purchases = PurchaseViewSet.as_view
contact_documents = ContactDocumentsViewSet.as_view

urlpatterns = [
    path("sells", sells({"get": "list", "post": "create"}), name="sells"),
    path("sells/<id:pk>", sells({"get": "retrieve"}), name="sell"),
    path("sells/<id:pk>/return", sells({"post": "returns"}), name="sell-return"),
    path("sells/<id:pk>/payments", sells({"post": "payments"}), name="sell-payments"),
    path("purchases", purchases({"get": "list", "post": "create"}), name="purchases"),
    path("purchases/<id:pk>", purchases({"get": "retrieve"}), name="purchase"),
    path("purchases/<id:pk>/return", purchases({"post": "returns"}), name="purchase-return"),
    path("purchases/<id:pk>/payments", purchases({"post": "payments"}), name="purchase-payments"),
    path(
        "transactions/<id:pk>/payments",
        TransactionPaymentViewSet.as_view({"post": "create"}),
        name="transaction-payments",
    ),
    path("payment-methods", PaymentMethodViewSet.as_view({"get": "list"}), name="payment-methods"),
    path("contacts/<id:pk>/sells", contact_documents({"get": "sells"}), name="contact-sells"),
    path("contacts/<id:pk>/purchases", contact_documents({"get": "purchases"}), name="contact-purchases"),
    path(
        "contacts/<id:pk>/supplier-stock", contact_documents({"get": "supplier_stock"}), name="contact-supplier-stock"
    ),
]
