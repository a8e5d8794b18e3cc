from django.urls import path

from ledger.api.views.contacts import ContactDocumentsViewSet
from ledger.api.views.documents import PurchaseViewSet, SellViewSet
from ledger.api.views.ledger_discounts import ContactLedgerDiscountViewSet, LedgerDiscountViewSet
from ledger.api.views.money import ContactMoneyViewSet
from ledger.api.views.payment_admin import PaymentViewSet
from ledger.api.views.payments import PaymentMethodViewSet, TransactionPaymentViewSet
from ledger.api.views.statements import ContactStatementViewSet

sells = SellViewSet.as_view
purchases = PurchaseViewSet.as_view
contact_documents = ContactDocumentsViewSet.as_view
money = ContactMoneyViewSet.as_view
discounts = LedgerDiscountViewSet.as_view
statements = ContactStatementViewSet.as_view

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
    path("contacts/<id:pk>/balance", money({"get": "balance"}), name="contact-balance"),
    path("contacts/<id:pk>/opening-balance", money({"get": "opening_balance"}), name="contact-opening-balance"),
    path("contacts/<id:pk>/ledger", money({"get": "ledger"}), name="contact-ledger"),
    path("contacts/<id:pk>/ledger/pdf", statements({"get": "pdf"}), name="contact-ledger-pdf"),
    path("contacts/<id:pk>/ledger/send", statements({"post": "send"}), name="contact-ledger-send"),
    path("contacts/<id:pk>/payments", money({"get": "payments", "post": "pay"}), name="contact-payments"),
    path(
        "contacts/<id:pk>/ledger-discounts",
        ContactLedgerDiscountViewSet.as_view({"get": "list"}),
        name="contact-ledger-discounts",
    ),
    path("ledger-discounts", discounts({"get": "list", "post": "create"}), name="ledger-discounts"),
    path(
        "ledger-discounts/<id:pk>",
        discounts({"get": "retrieve", "patch": "update", "put": "update", "delete": "destroy"}),
        name="ledger-discount",
    ),
    path("payments/<id:pk>", PaymentViewSet.as_view({"delete": "destroy"}), name="payment"),
]
