"""`make run`'s demo business: created once, then reused; every run prints a fresh login and token."""

import random
import unicodedata
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, SellingPriceGroup
from contacts.services import contact_create, customer_group_create, walk_in_customer_create
from core.models import ApiCredential, Business, User
from core.services.business import business_create, location_create
from core.services.credentials import credential_issue, credential_revoke
from core.services.users import user_create
from demo.accounts import seed_accounts
from demo.money import seed_money
from demo.subscriptions import seed_subscriptions
from demo.trading import seed_trading
from ledger.models import Transaction

DEMO_NAME = "Demo Trading Co."
ADMIN_USERNAME = "demo-admin"
ADMIN_PASSWORD = "demo-admin-password"
CLERK_USERNAME = "demo-clerk"
TOKEN_NAME = "make run"

FIRST = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Sofia",
    "Leo",
    "Priya",
    "Mateo",
    "Chloe",
    "Hiroshi",
    "Fatima",
    "Lukas",
    "Elena",
    "Kwame",
    "Ingrid",
    "Rafael",
    "Aisha",
    "Tomasz",
    "Yara",
]
LAST = [
    "Smith",
    "Jones",
    "Patel",
    "García",
    "Müller",
    "Rossi",
    "Kowalski",
    "Nakamura",
    "Okafor",
    "Silva",
    "Johansson",
    "Dubois",
    "Kim",
    "Haddad",
    "O'Brien",
    "Novak",
    "Fernandes",
    "Andersen",
]
COMPANIES = [
    "Northwind Traders",
    "Blue Harbor Foods",
    "Granite Peak Supplies",
    "Sunrise Textiles",
    "Evergreen Paper Co.",
    "Atlas Hardware",
    "Lumen Electronics",
    "Riverbend Farms",
    "Copperfield Tools",
    "Bright Spark Lighting",
    "Oakridge Timber",
    "Polar Cold Chain",
    "Meridian Packaging",
    "Silverline Logistics",
    "Cascade Beverages",
    "Harbourside Roasters",
    "Kestrel Office Supply",
    "Juniper & Sage Deli",
    "Ironbridge Catering",
    "Marlow Print Works",
    "Foxglove Café",
    "Tidewater Imports",
    "Beacon Hill Bakery",
    "Quayside Kitchen Equipment",
    "Redwood Cleaning Services",
    "Saffron Street Kitchen",
    "Willow Lane Florist",
]
CITIES = [
    ("London", "England", "United Kingdom", "51.5072,-0.1276"),
    ("Manchester", "England", "United Kingdom", "53.4808,-2.2426"),
    ("Berlin", "Berlin", "Germany", "52.5200,13.4050"),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "45.7640,4.8357"),
    ("Austin", "Texas", "United States", "30.2672,-97.7431"),
    ("Toronto", "Ontario", "Canada", "43.6532,-79.3832"),
    ("Pune", "Maharashtra", "India", "18.5204,73.8567"),
]


def _mailbox(name: str) -> str:
    """`Foxglove Café` -> `foxglove.cafe`: a plain ASCII mailbox for a name."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower().replace(" ", ".").replace("&", "and") if c.isalnum() or c == ".")


class Command(BaseCommand):
    help = "Create (once) the demo business for `make run`; print an admin login, a fresh API token and a curl."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options):
        with transaction.atomic():
            business = Business.objects.filter(name=DEMO_NAME).first() or self._create_business()
            admin = User.objects.get(username=ADMIN_USERNAME)
            seed_trading(business=business, admin=admin, clerk=User.objects.get(username=CLERK_USERNAME))
            seed_money(business=business, admin=admin)
            seed_accounts(business=business, admin=admin)
            seed_subscriptions(business=business, admin=admin)
            admin.set_password(ADMIN_PASSWORD)
            admin.is_staff = admin.is_active = True
            admin.save()
            # the clerk works in the back office too, seeing only the contacts they created or were given
            clerk = User.objects.get(username=CLERK_USERNAME)
            clerk.set_password(ADMIN_PASSWORD)
            clerk.is_staff = clerk.is_active = True
            clerk.save()
            for old in ApiCredential.objects.filter(user=admin, name=TOKEN_NAME, revoked_at__isnull=True):
                credential_revoke(credential=old)
            token = credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name=TOKEN_NAME).token
        base = f"http://{options['host']}:{options['port']}"
        contacts = Contact.objects.for_business(business).count()
        documents = Transaction.objects.for_business(business)
        self.stdout.write(
            f"\nDemo business: {business.name} (id {business.pk}), {contacts} contacts, "
            f"{documents.filter(type='sell').count()} sells, {documents.filter(type='purchase').count()} purchases\n"
            f"Django admin:  {base}/admin/   user {ADMIN_USERNAME}   password {ADMIN_PASSWORD}\n"
            f"               a clerk who sees only their own contacts: user {CLERK_USERNAME}, the same password\n"
            f"API docs:      {base}/api/docs/\n"
            f"API token:     {token}   (new on every run; the previous one is revoked)\n\n"
            f"curl -H 'Authorization: Bearer {token}' '{base}/api/v1/integration/contacts?kind=customer'\n"
        )

    def _create_business(self) -> Business:
        rng = random.Random(2026)
        business = business_create(name=DEMO_NAME, currency_code="USD", modules=["account", "subscription"])
        business.custom_labels = {"contact": {"custom_field_1": "Region", "custom_field_2": "Account manager"}}
        business.save(update_fields=["custom_labels"])
        location_create(business=business, name="Main Store", city="London", country="United Kingdom")
        second = location_create(business=business, name="Warehouse", city="Manchester", country="United Kingdom")
        admin = user_create(
            business=business,
            username=ADMIN_USERNAME,
            password=ADMIN_PASSWORD,
            admin=True,
            first_name="Dana",
            last_name="Admin",
            email="admin@demo.example",
        )
        clerk = user_create(
            business=business,
            username=CLERK_USERNAME,
            password=ADMIN_PASSWORD,
            permissions=[
                "customer.view_own",
                "customer.create",
                "supplier.view_own",
                "sell.view",
                "sell.create",
                "sell.payments",
                "view_own_sell_only",
                "product.view",
            ],
            location_ids=[second.pk],
            first_name="Sam",
            last_name="Clerk",
        )
        walk_in_customer_create(business=business, user=admin)
        wholesale_prices = SellingPriceGroup.objects.create(business=business, name="Wholesale prices")
        vip = customer_group_create(
            business=business,
            user=admin,
            data={"name": "VIP customers", "price_calculation_type": "percentage", "amount": Decimal("-5")},
        )
        customer_group_create(
            business=business,
            user=admin,
            data={
                "name": "Wholesale",
                "price_calculation_type": "selling_price_group",
                "selling_price_group": wholesale_prices,
            },
        )

        # every company and every person once: a believable book of customers and suppliers
        companies = iter(rng.sample(COMPANIES, len(COMPANIES)))
        people = iter(rng.sample([(f, la) for f in FIRST for la in LAST], 50))
        for i in range(50):
            kind = "customer" if i < 30 else "supplier" if i < 44 else "both"
            city, state, country, position = CITIES[i % len(CITIES)]
            first, last = next(people)
            company = next(companies) if kind != "customer" or i % 5 == 0 else None
            data = {
                "type": kind,
                "contact_type": "business" if company else "individual",
                "name": company or f"{first} {last}",
                "supplier_business_name": company,
                "first_name": None if company else first,
                "last_name": None if company else last,
                "email": f"{_mailbox(company or first + '.' + last)}@example.com",
                "mobile": f"+44 7700 9{i:05d}",
                "city": city,
                "state": state,
                "country": country,
                "address_line_1": f"{rng.randint(1, 250)} High Street",
                "zip_code": f"{rng.randint(10000, 99999)}",
                "position": position if i % 3 else None,
                "credit_limit": Decimal(rng.choice([0, 500, 1000, 2500])) if kind != "supplier" else None,
                "pay_term_number": 30 if kind != "customer" else None,
                "pay_term_type": "days" if kind != "customer" else None,
                "customer_group": vip if kind == "customer" and i % 4 == 0 else None,
                "contact_status": "inactive" if i % 17 == 16 else "active",
                "custom_field1": rng.choice(["North", "South", "East", "West"]),
            }
            creator = clerk if i % 10 == 0 and kind == "customer" else admin
            contact_create(business=business, user=creator, data=data)
        self.stdout.write(f"Created the demo business at {timezone.localtime():%Y-%m-%d %H:%M}.")
        return business
