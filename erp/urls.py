from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.renderers import SchemaNegotiation
from core.views import health, home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("api/schema/", SpectacularAPIView.as_view(content_negotiation_class=SchemaNegotiation), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/integration/", include("contacts.api.urls")),
    path("api/v1/integration/", include("inventory.api.urls")),
    path("api/v1/integration/", include("ledger.api.urls")),
    path("api/v1/integration/", include("accounts.api.urls")),
    path("api/v1/integration/", include("subscriptions.api.urls")),
]
