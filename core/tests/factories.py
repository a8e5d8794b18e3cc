"""Test data. Businesses and users go through the same services as production (roles, counters);
plain rows use factory_boy."""

import itertools

import factory

from contacts.models import Contact, CustomerGroup, SellingPriceGroup
from core.models import ApiCredential
from core.services.business import business_create, location_create
from core.services.credentials import credential_issue
from core.services.users import user_create

_usernames = itertools.count(1)


def make_business(name="Business", locations=1, walk_in=True, **kwargs):
    from contacts.services import walk_in_customer_create

    business = business_create(name=name, **kwargs)
    for _ in range(locations):
        location_create(business=business)
    if walk_in:
        walk_in_customer_create(business=business)
    return business


def make_user(business, *permissions, admin=False, locations=(), all_locations=False, username=None, **kwargs):
    return user_create(
        business=business,
        username=username or f"user{next(_usernames)}",
        admin=admin,
        permissions=permissions,
        location_ids=[getattr(loc, "pk", loc) for loc in locations],
        all_locations=all_locations,
        **kwargs,
    )


def make_token(user, **kwargs) -> str:
    return credential_issue(user=user, kind=ApiCredential.Kind.TOKEN, **kwargs).token


class SellingPriceGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellingPriceGroup

    name = factory.Sequence(lambda n: f"Price group {n}")


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    price_calculation_type = "percentage"
    amount = 0


class ContactFactory(factory.django.DjangoModelFactory):
    """A live contact row. `contact_id` is unique per factory run (T0001…) so it never meets CO codes."""

    class Meta:
        model = Contact

    type = "customer"
    name = factory.Faker("name")
    contact_id = factory.Sequence(lambda n: f"T{n:05d}")
    mobile = factory.Sequence(lambda n: f"+1555{n:07d}")
    email = factory.LazyAttribute(lambda o: f"{o.contact_id.lower()}@example.com")
    contact_status = "active"


def staff_client(user):
    """A test client logged in to the back office as `user`, made a staff member."""
    from django.test import Client

    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client
