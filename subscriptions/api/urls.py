from django.urls import path

from subscriptions.api.views import ContactSubscriptionViewSet, SubscriptionViewSet

subscriptions = SubscriptionViewSet.as_view

urlpatterns = [
    path("subscriptions", subscriptions({"get": "list"}), name="subscriptions"),
    path("subscriptions/<id:pk>", subscriptions({"get": "retrieve"}), name="subscription"),
    path("subscriptions/<id:pk>/schedule", subscriptions({"get": "schedule"}), name="subscription-schedule"),
    path("subscriptions/<id:pk>/toggle-recurring", subscriptions({"post": "toggle"}), name="subscription-toggle"),
    path(
        "contacts/<id:pk>/subscriptions",
        ContactSubscriptionViewSet.as_view({"get": "subscriptions"}),
        name="contact-subscriptions",
    ),
]
