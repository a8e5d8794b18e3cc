"""Deny by default: every API route declares a rule for every action it serves."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import get_resolver
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from core.api.permissions import BusinessAdmin, LocationPermitted, ModuleEnabled, NotDemoMode, PackageActive, Perm
from core.api.views import IntegrationViewSet
from core.permissions import ALL_PERMISSIONS, UnknownPermission
from core.tests.factories import make_user


def _api_views():
    def walk(patterns, prefix=""):
        for entry in patterns:
            if hasattr(entry, "url_patterns"):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern), entry.callback

    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            yield route, callback


def test_every_api_route_has_a_rule_for_every_action():
    routes = list(_api_views())
    assert routes, "no API routes found"
    for route, callback in routes:
        view_class = getattr(callback, "cls", None)
        assert view_class is not None and issubclass(view_class, IntegrationViewSet), route
        for method, action in callback.actions.items():
            assert action in view_class.rules, f"{route} {method.upper()} ({action}) has no permission rule"


class Bare(IntegrationViewSet):
    rules = {"list": Perm("customer.view")}

    def list(self, request):
        return Response({"data": []})

    def retrieve(self, request, pk=None):
        return Response({"data": {}})


@pytest.fixture(autouse=True)
def _no_request_transaction(settings):
    """These tests call views directly, outside Django's per-request transaction: an error response would
    otherwise mark the test's own transaction for rollback."""
    from django.db import connection

    connection.settings_dict["ATOMIC_REQUESTS"] = False
    yield
    connection.settings_dict["ATOMIC_REQUESTS"] = True


def _run(view, user, method="get", path="/api/v1/x", **kwargs):
    request = getattr(APIRequestFactory(), method)(path, **kwargs)
    force_authenticate(request, user=user)
    return view(request, **kwargs.pop("view_kwargs", {}))


def test_an_action_without_a_rule_is_refused_even_for_an_admin(business):
    admin = make_user(business, admin=True)
    response = _run(Bare.as_view({"get": "retrieve"}), admin)
    assert response.status_code == 403


def test_perm_passes_with_any_of_its_names(business):
    view = Bare.as_view({"get": "list"})
    assert _run(view, make_user(business, "customer.view")).status_code == 200
    assert _run(view, make_user(business, "supplier.view")).status_code == 403
    assert _run(view, make_user(business, admin=True)).status_code == 200


def test_an_unknown_permission_name_is_an_error_wherever_it_is_used(business):
    with pytest.raises(ImproperlyConfigured):
        Perm("customer.veiw")
    user = make_user(business, "customer.view")
    with pytest.raises(UnknownPermission):
        user.has_erp_perm("customer.veiw")
    with pytest.raises(Exception, match="Unknown permission"):
        make_user(business, "customer.veiw")


def test_business_admins_hold_every_permission_and_location(business):
    admin = make_user(business, admin=True)
    assert admin.erp_permissions == ALL_PERMISSIONS
    assert admin.permitted_location_ids() is None


def test_permitted_locations(business):
    first, second = business.locations.all()[:2]
    clerk = make_user(business, "sell.view", locations=[first])
    assert clerk.permitted_location_ids() == {first.pk}
    everywhere = make_user(business, "sell.view", all_locations=True)
    assert everywhere.permitted_location_ids() is None

    def asks_for(location):
        request = Request(APIRequestFactory().get(f"/x?location_id={location.pk}"))
        request.user = clerk
        return LocationPermitted().has_permission(request, None)

    assert asks_for(first) is True
    assert asks_for(second) is False


def _guarded(rule):
    class Guarded(IntegrationViewSet):
        rules = {"list": [rule, Perm("customer.view")]}

        def list(self, request):
            return Response({"data": []})

    return Guarded.as_view({"get": "list"})


def test_package_enforcement_answers_402_for_an_inactive_subscription(business, settings):
    user = make_user(business, "customer.view")
    view = _guarded(PackageActive())
    assert _run(view, user).status_code == 200
    business.subscription_status = "expired"
    business.save()
    user.business.refresh_from_db()
    assert _run(view, user).status_code == 200  # enforcement off: no effect
    settings.ERP_ENFORCE_PACKAGES = True
    response = _run(view, user)
    assert response.status_code == 402
    assert response.data["message"]


def test_demo_mode_answers_403_with_a_message(business, settings):
    user = make_user(business, "customer.view")
    view = _guarded(NotDemoMode())
    assert _run(view, user).status_code == 200
    with override_settings(ERP_DEMO_MODE=True):
        response = _run(view, user)
    assert response.status_code == 403
    assert response.data == {"message": "This action is disabled in demo mode."}


def test_module_switch(business):
    user = make_user(business, "customer.view")
    view = _guarded(ModuleEnabled("subscription"))
    response = _run(view, user)
    assert response.status_code == 403
    assert "subscription module" in response.data["message"]
    business.enabled_modules = ["subscription"]
    business.save()
    user.business.refresh_from_db()
    assert _run(view, user).status_code == 200


def test_business_admin_rule(business):
    view = _guarded(BusinessAdmin())
    assert _run(view, make_user(business, "customer.view")).status_code == 403
    assert _run(view, make_user(business, admin=True)).status_code == 200
