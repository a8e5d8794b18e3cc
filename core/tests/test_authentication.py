"""Bearer tokens and API key + secret pairs (operations.md, "Authenticating")."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiCredential
from core.services.credentials import credential_issue, credential_revoke
from core.tests.factories import make_user
from core.tests.matrix import BASE

URL = f"{BASE}/contacts?kind=customer"


@pytest.fixture
def clerk(business):
    return make_user(business, "customer.view")


def get(**headers):
    return APIClient().get(URL, **headers)


def assert_unauthenticated(response):
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bearer_token_authenticates(clerk):
    token = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN).token
    assert get(HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_an_api_key_and_secret_authenticate_together(clerk):
    issued = credential_issue(user=clerk, kind=ApiCredential.Kind.KEY_PAIR)
    response = get(HTTP_X_API_KEY=issued.credential.key, HTTP_X_API_SECRET=issued.secret)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer nonsense"},
        {"HTTP_AUTHORIZATION": "Bearer abc.def"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        {"HTTP_X_API_KEY": "abc"},
        {"HTTP_X_API_SECRET": "abc"},
    ],
)
def test_missing_or_malformed_credentials_are_401(db, headers):
    assert_unauthenticated(get(**headers))


def test_a_wrong_secret_is_401(clerk):
    token = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN).token
    assert_unauthenticated(get(HTTP_AUTHORIZATION=f"Bearer {token[:-2]}xx"))
    pair = credential_issue(user=clerk, kind=ApiCredential.Kind.KEY_PAIR)
    assert_unauthenticated(get(HTTP_X_API_KEY=pair.credential.key, HTTP_X_API_SECRET=pair.secret + "x"))


def test_a_key_pair_is_not_a_bearer_token_and_vice_versa(clerk):
    pair = credential_issue(user=clerk, kind=ApiCredential.Kind.KEY_PAIR)
    assert_unauthenticated(get(HTTP_AUTHORIZATION=f"Bearer {pair.credential.key}.{pair.secret}"))
    token = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN)
    assert_unauthenticated(get(HTTP_X_API_KEY=token.credential.key, HTTP_X_API_SECRET=token.secret))


def test_revoked_and_expired_credentials_are_401(clerk):
    revoked = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN)
    credential_revoke(credential=revoked.credential)
    assert_unauthenticated(get(HTTP_AUTHORIZATION=f"Bearer {revoked.token}"))

    expired = credential_issue(
        user=clerk, kind=ApiCredential.Kind.TOKEN, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_unauthenticated(get(HTTP_AUTHORIZATION=f"Bearer {expired.token}"))

    later = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN, expires_at=timezone.now() + timedelta(days=1))
    assert get(HTTP_AUTHORIZATION=f"Bearer {later.token}").status_code == 200


def test_an_inactive_user_cannot_authenticate(clerk):
    token = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN).token
    clerk.is_active = False
    clerk.save()
    assert_unauthenticated(get(HTTP_AUTHORIZATION=f"Bearer {token}"))


def test_secrets_are_stored_only_as_hashes(clerk):
    issued = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN)
    stored = ApiCredential.objects.get(pk=issued.credential.pk)
    assert issued.secret not in stored.secret_hash
    assert len(stored.secret_hash) == 64
    assert stored.secret_matches(issued.secret)


def test_last_used_at_is_recorded(clerk):
    issued = credential_issue(user=clerk, kind=ApiCredential.Kind.TOKEN)
    assert issued.credential.last_used_at is None
    get(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    issued.credential.refresh_from_db()
    assert issued.credential.last_used_at is not None
