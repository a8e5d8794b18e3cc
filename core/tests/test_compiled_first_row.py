"""core.sql.CompiledFirstRow: a queryset's first row with its SQL compiled once — the same instances as the queryset's
first(), in one statement, without compiling the query again."""

from unittest import mock

import pytest
from django.db.models import Exists

from core.api.authentication import ADMIN_ROLE
from core.models import ApiCredential
from core.sql import CompiledFirstRow
from core.tests.factories import make_business, make_token, make_user

pytestmark = pytest.mark.django_db


def lookup(key, kind):
    return (
        ApiCredential.objects.select_related("user__business")
        .annotate(user_is_admin=Exists(ADMIN_ROLE))
        .filter(key=key, kind=kind)
    )


@pytest.fixture
def credentials():
    business = make_business(name="Compiled")
    admin, clerk = make_user(business, admin=True), make_user(business, "customer.view")
    make_token(admin)
    make_token(clerk)
    return list(ApiCredential.objects.order_by("pk"))


def test_the_same_instances_as_first_with_related_objects_and_annotations(credentials, django_assert_num_queries):
    compiled = CompiledFirstRow(lookup, key=None, kind=None)
    for credential in credentials:
        expected = lookup(credential.key, credential.kind).first()
        with django_assert_num_queries(1):
            found = compiled.first(key=credential.key, kind=credential.kind)
            assert found.user.business.name == "Compiled"  # loaded with it
        assert found == expected and found.__dict__.keys() == expected.__dict__.keys()
        assert [found.created_at, found.user_is_admin] == [expected.created_at, expected.user_is_admin]
        assert found.user.__dict__ == {**expected.user.__dict__, "_state": found.user._state}
    assert [c.user_is_admin for c in (compiled.first(key=c.key, kind=c.kind) for c in credentials)] == [True, False]


def test_no_row_is_none_and_the_values_are_parameters(credentials):
    compiled = CompiledFirstRow(lookup, key=None, kind=None)
    assert compiled.first(key="nope' OR '1'='1", kind="token") is None
    assert compiled.first(key=credentials[0].key, kind="key_pair") is None


def test_it_compiles_once(credentials):
    compiled = CompiledFirstRow(lookup, key=None, kind=None)
    with mock.patch.object(CompiledFirstRow, "_compile", wraps=compiled._compile) as compile_:
        for _ in range(3):
            compiled.first(key=credentials[1].key, kind=credentials[1].kind)
    assert compile_.call_count == 1


def test_a_values_queryset_gives_its_row_and_a_number_slot_takes_a_number_sentinel(credentials):
    compiled = CompiledFirstRow(
        lambda pk: ApiCredential.objects.filter(pk=pk).values_list("pk", "kind", "user__username"), pk=-7_301_937
    )
    credential = credentials[0]
    assert compiled.first(pk=credential.pk) == (credential.pk, credential.kind, credential.user.username)
    assert compiled.first(pk=credential.pk + 1000) is None


def test_each_thread_compiles_its_own(credentials):
    """A compiler holds its thread's connection: a thread does not use another's."""
    import threading

    from django.db import connection

    compiled = CompiledFirstRow(lookup, key=None, kind=None)
    credential = credentials[0]
    compiled.first(key=credential.key, kind=credential.kind)
    seen = {}

    def other():
        try:
            seen["compiled"] = getattr(compiled._local, "compiled", None)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["compiled"] is None and compiled._local.compiled
