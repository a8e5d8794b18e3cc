"""Rate limits of the Integration API: per credential (reads and writes apart), a sustained budget per minute
and a burst per second; requests without valid credentials per client address, before authentication. Over a
budget: 429 `{"message": "Too many requests."}` with Retry-After; every response carries X-RateLimit-Limit,
X-RateLimit-Remaining and X-RateLimit-Reset (the window the next refusal would come from)."""

import datetime
import os

import pytest
import time_machine
from django.core.cache import caches
from rest_framework.test import APIClient

from core.tests.factories import make_token
from core.tests.matrix import BASE
from ledger.tests.builders import make_customer

TOO_MANY = {"message": "Too many requests."}
# Frozen a quarter of a second into a minute: the burst window ends at :01, the sustained one at the next minute.
NOW = datetime.datetime(2026, 3, 2, 10, 15, 0, 250_000, tzinfo=datetime.UTC)
MINUTE_END = int(datetime.datetime(2026, 3, 2, 10, 16, tzinfo=datetime.UTC).timestamp())
SECOND_END = int(datetime.datetime(2026, 3, 2, 10, 15, 1, tzinfo=datetime.UTC).timestamp())


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def limits(settings, *, read=(6000, 300), write=(1200, 100), anonymous=(600, 100)):
    settings.ERP_RATE_LIMITS = {
        "read": {"sustained": read[0], "burst": read[1]},
        "write": {"sustained": write[0], "burst": write[1]},
        "anonymous": {"sustained": anonymous[0], "burst": anonymous[1]},
    }


def headers(response) -> tuple:
    return (response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"], response["X-RateLimit-Reset"])


def contacts(client, **extra):
    return client.get(f"{BASE}/contacts?kind=customer", **extra)


def create(client):
    return client.post(f"{BASE}/contacts", {"type": "customer", "name": "Ann", "mobile": "1"}, format="json")


# --- headers on every response --------------------------------------------------------------------------------


def test_every_api_response_carries_the_headers(api, client, business):
    customer = make_customer(business)
    responses = [
        contacts(api),
        api.get(f"{BASE}/contacts/{customer.pk}"),
        create(api),
        api.get(f"{BASE}/contacts?kind=customer&per_page=1000"),  # 422
        api.get(f"{BASE}/contacts/999999"),  # 404
        api.get(f"{BASE}/no-such-route"),  # 404 without a view
        contacts(client),  # 401
        api.options(f"{BASE}/contacts"),
        api.get(f"{BASE}/contacts?kind=customer&format=csv"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 201, 422, 404, 404, 401, 204, 200]
    for response in responses:
        assert response["X-RateLimit-Limit"].isdigit()
        assert response["X-RateLimit-Remaining"].isdigit()
        assert response["X-RateLimit-Reset"].isdigit()


def test_the_headers_describe_the_tighter_window(api, settings):
    limits(settings, read=(100, 3))
    assert headers(contacts(api)) == ("3", "2", str(SECOND_END))
    assert headers(contacts(api)) == ("3", "1", str(SECOND_END))

    limits(settings, read=(4, 50))
    assert headers(contacts(api)) == ("4", "1", str(MINUTE_END))


def test_outside_the_integration_api_there_are_no_headers(client):
    response = client.get("/healthz")
    assert "X-RateLimit-Limit" not in response


def test_limits_can_be_switched_off(api, settings):
    settings.ERP_RATE_LIMIT_ENABLED = False
    limits(settings, read=(1, 1))
    for _ in range(3):
        response = contacts(api)
        assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response


# --- 429 -----------------------------------------------------------------------------------------------------


def test_over_the_burst_is_429_with_retry_after_until_the_next_second(api, settings, frozen):
    limits(settings, read=(100, 2))
    assert [contacts(api).status_code for _ in range(2)] == [200, 200]

    refused = contacts(api)

    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert refused["Retry-After"] == "1"
    assert headers(refused) == ("2", "0", str(SECOND_END))

    frozen.shift(datetime.timedelta(seconds=1))
    assert contacts(api).status_code == 200


def test_over_the_sustained_budget_is_429_until_the_minute_is_over(api, settings, frozen):
    limits(settings, read=(3, 50))
    for _ in range(3):
        assert contacts(api).status_code == 200

    refused = contacts(api)

    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert refused["Retry-After"] == "60"  # 59.75 s, rounded up
    assert headers(refused) == ("3", "0", str(MINUTE_END))
    frozen.shift(datetime.timedelta(seconds=30))
    assert contacts(api)["Retry-After"] == "30"
    frozen.shift(datetime.timedelta(seconds=30))
    assert contacts(api).status_code == 200


def test_a_refused_write_writes_nothing(api, settings):
    from contacts.models import Contact

    limits(settings, write=(100, 1))
    assert create(api).status_code == 201
    before = Contact.objects.count()

    refused = create(api)

    assert refused.status_code == 429 and refused.json() == TOO_MANY
    assert Contact.objects.count() == before


def test_reads_and_writes_have_their_own_budgets(api, settings):
    limits(settings, read=(100, 1), write=(100, 1))
    assert contacts(api).status_code == 200
    assert contacts(api).status_code == 429
    assert create(api).status_code == 201
    assert create(api).status_code == 429


def test_each_credential_has_its_own_budget(actors, settings):
    limits(settings, read=(100, 1))
    first = actors.client(admin=True)
    assert contacts(first).status_code == 200
    assert contacts(first).status_code == 429

    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(first.user)}")
    assert contacts(second).status_code == 200
    assert contacts(actors.client("customer.view")).status_code == 200


def test_credentials_on_one_address_do_not_share_a_budget_with_anonymous_callers(api, client, settings):
    limits(settings, anonymous=(100, 1))
    assert contacts(client).status_code == 401
    assert contacts(client).status_code == 429
    assert contacts(api).status_code == 200


def test_replayed_answers_count(api, settings, business):
    limits(settings, write=(100, 2))
    customer = make_customer(business)
    url = f"{BASE}/contacts/{customer.pk}/payments"
    body = {"amount": "1.00", "method": "cash"}
    for _ in range(2):
        assert api.post(url, body, format="json", headers={"Idempotency-Key": "k"}).status_code == 201
    refused = api.post(url, body, format="json", headers={"Idempotency-Key": "k"})
    assert refused.status_code == 429 and "Idempotent-Replayed" not in refused


# --- without valid credentials: per address, before authentication ---------------------------------------------


def test_anonymous_requests_are_limited_per_address_before_authentication(client, settings, django_assert_num_queries):
    limits(settings, anonymous=(100, 2))
    assert [contacts(client).status_code for _ in range(2)] == [401, 401]

    with django_assert_num_queries(0):
        refused = contacts(client)

    assert refused.status_code == 429
    assert refused.json() == TOO_MANY
    assert refused["Retry-After"] == "1"
    assert headers(refused) == ("2", "0", str(SECOND_END))
    assert contacts(client, REMOTE_ADDR="10.0.0.9").status_code == 401


def test_failed_credentials_count_against_the_address(client, settings):
    limits(settings, anonymous=(100, 2))
    bad = {"HTTP_AUTHORIZATION": "Bearer nope.nope"}
    assert [contacts(client, **bad).status_code for _ in range(2)] == [401, 401]
    assert contacts(client, **bad).status_code == 429
    assert contacts(client).status_code == 429


def test_the_anonymous_budget_is_a_setting(client, settings):
    limits(settings, anonymous=(1, 100))
    assert contacts(client).status_code == 401
    refused = contacts(client)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"


def test_the_defaults_are_generous(settings):
    assert settings.ERP_RATE_LIMITS == {
        "read": {"sustained": 6000, "burst": 300},
        "write": {"sustained": 1200, "burst": 100},
        "anonymous": {"sustained": 600, "burst": 100},
    }


# --- the shared cache -----------------------------------------------------------------------------------------


def test_an_unreachable_cache_lets_requests_through(api, monkeypatch):
    from core.api import ratelimit

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit.cache, "incr", down)
    response = contacts(api)
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response


REDIS_URL = os.environ.get("ERP_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: export ERP_TEST_REDIS_URL=$(scripts/redis-up)")
def test_counts_are_shared_through_redis(api, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    caches["default"].clear()
    limits(settings, read=(100, 2))
    try:
        assert headers(contacts(api))[1] == "1"
        # another process sees the same counter: the key is in Redis, not in this process's memory
        import redis

        keys = redis.Redis.from_url(REDIS_URL).keys("*erp:rl:credential:*")
        assert len(keys) == 2
        assert contacts(api).status_code == 200
        assert contacts(api).status_code == 429
    finally:
        caches["default"].clear()
