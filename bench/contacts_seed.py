"""Seed data of the contacts benchmark: varied contacts COPYed into two businesses made with the
project's own services (see bench/README.md)."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import common

SEED_VERSION = 1
CUSTOMER_SIDE = ("customer", "both")
SMALL_EXPORT_ROWS = 10_000


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Donald Ashley Steven "
    "Emily Paul Donna Andrew Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah George Stephanie "
    "Timothy Rebecca Ronald Sharon Jason Laura Edward Cynthia Jeffrey Kathleen Ryan Amy Jacob Angela Gary Shirley "
    "Nicholas Anna Eric Brenda Jonathan Pamela Stephen Emma Larry Nicole Justin Helen Scott Samantha Brandon "
    "Katherine Benjamin Christine Samuel Debra Gregory Rachel Alexander Carolyn Patrick Janet Frank Maria Raymond "
    "Olivia Jack Heather Dennis Diane Jerry Julie Tyler Joyce Aaron Victoria Priya Rahul Aisha Mohammed Fatima "
    "Omar Wei Mei Hiroshi Yuki Sven Ingrid Lukas Elena Mateo Sofia Kwame Amara Chidi Ngozi Tomasz Zofia Rafael "
    "Yara Dmitri Olga Ahmed Leila Arjun Ananya Jose Lucia Pierre Camille Giulia Marco Hannah Jonas"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Fisher Vasquez Simmons Graham Okafor Mensah Nakamura Tanaka Chen Wang Singh Kumar Haddad "
    "Khan Ali Novak Kowalski Muller Schmidt Rossi Bianchi Dubois Laurent Johansson Andersen Silva Santos Ivanov "
    "O'Brien Fernandes MacDonald"
)
COMPANY_WORDS = _words(
    "Northwind Harbor Granite Sunrise Evergreen Atlas Lumen Riverbend Copperfield Oakridge Polar Meridian "
    "Silverline Cascade Summit Pioneer Redwood Bluewater Keystone Horizon Falcon Crescent Liberty Union Prairie "
    "Golden Iron Crystal Maple Cedar Vertex Apex Nova Orion Delta Sterling Beacon Harvest Coastal Alpine"
)
COMPANY_TRADES = _words(
    "Trading|Supplies|Foods|Textiles|Hardware|Electronics|Farms|Tools|Logistics|Packaging|Beverages|Paper Co.|"
    "Distribution|Imports|Wholesale|Motors|Pharma|Builders|Plastics|Chemicals",
    "|",
)
COMPANY_FORMS = ("Ltd", "LLC", "Inc.", "GmbH", "S.A.", "Pvt Ltd", "& Sons", "Group", "")
PREFIXES = ("Mr", "Ms", "Mrs", "Dr", "Prof")
STREETS = _words(
    "High Street|Station Road|Main Street|Park Avenue|Church Lane|Victoria Road|Mill Lane|King Street|"
    "Oak Drive|Elm Street|Market Square|Harbour View|Industrial Estate|Riverside Walk|Broadway",
    "|",
)
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "example.com")
# city, state, country, dialling code
CITIES = (
    ("London", "England", "United Kingdom", "+44"),
    ("Manchester", "England", "United Kingdom", "+44"),
    ("Birmingham", "England", "United Kingdom", "+44"),
    ("Glasgow", "Scotland", "United Kingdom", "+44"),
    ("Dublin", "Leinster", "Ireland", "+353"),
    ("Berlin", "Berlin", "Germany", "+49"),
    ("Munich", "Bavaria", "Germany", "+49"),
    ("Hamburg", "Hamburg", "Germany", "+49"),
    ("Paris", "Île-de-France", "France", "+33"),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "+33"),
    ("Madrid", "Madrid", "Spain", "+34"),
    ("Barcelona", "Catalonia", "Spain", "+34"),
    ("Milan", "Lombardy", "Italy", "+39"),
    ("Rome", "Lazio", "Italy", "+39"),
    ("Warsaw", "Masovia", "Poland", "+48"),
    ("Stockholm", "Stockholm", "Sweden", "+46"),
    ("New York", "New York", "United States", "+1"),
    ("Los Angeles", "California", "United States", "+1"),
    ("Chicago", "Illinois", "United States", "+1"),
    ("Houston", "Texas", "United States", "+1"),
    ("Austin", "Texas", "United States", "+1"),
    ("Seattle", "Washington", "United States", "+1"),
    ("Toronto", "Ontario", "Canada", "+1"),
    ("Vancouver", "British Columbia", "Canada", "+1"),
    ("Mexico City", "CDMX", "Mexico", "+52"),
    ("São Paulo", "São Paulo", "Brazil", "+55"),
    ("Lagos", "Lagos", "Nigeria", "+234"),
    ("Nairobi", "Nairobi", "Kenya", "+254"),
    ("Accra", "Greater Accra", "Ghana", "+233"),
    ("Cairo", "Cairo", "Egypt", "+20"),
    ("Dubai", "Dubai", "United Arab Emirates", "+971"),
    ("Mumbai", "Maharashtra", "India", "+91"),
    ("Pune", "Maharashtra", "India", "+91"),
    ("Bengaluru", "Karnataka", "India", "+91"),
    ("Singapore", "", "Singapore", "+65"),
    ("Tokyo", "Tokyo", "Japan", "+81"),
    ("Seoul", "Seoul", "South Korea", "+82"),
    ("Sydney", "New South Wales", "Australia", "+61"),
    ("Melbourne", "Victoria", "Australia", "+61"),
    ("Auckland", "Auckland", "New Zealand", "+64"),
)
CREDIT_LIMITS = (None, None, None, Decimal("0"), Decimal("500"), Decimal("1000"), Decimal("2500.50"), Decimal("10000"))
COPY_COLUMNS = _words(
    "business_id type contact_type contact_id name prefix first_name last_name supplier_business_name email mobile "
    "landline alternate_number tax_number city state country address_line_1 zip_code credit_limit balance "
    "contact_status is_default is_export created_by_id created_at updated_at"
)

TYPE, STATUS = COPY_COLUMNS.index("type"), COPY_COLUMNS.index("contact_status")


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


def _phone(rng: random.Random, code: str) -> str:
    style = rng.random()
    if style < 0.6:
        return f"{code} {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 4)}"
    if style < 0.85:
        return f"0{_digits(rng, 4)}{_digits(rng, 6)}"
    return f"({_digits(rng, 3)}) {_digits(rng, 3)}-{_digits(rng, 4)}"


def _company(rng: random.Random) -> str:
    words = rng.choice(COMPANY_WORDS) if rng.random() < 0.7 else rng.choice(LAST)
    return " ".join(p for p in (words, rng.choice(COMPANY_TRADES), rng.choice(COMPANY_FORMS)) if p)


def contact_rows(rng: random.Random, *, business_id: int, user_id: int, first_number: int):
    """An endless stream of COPY rows: 60% customers, 25% suppliers, 15% both; 8% inactive;
    individuals and businesses with varied names, phones, e-mails and addresses."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    number = first_number
    while True:
        roll = rng.random()
        kind = "customer" if roll < 0.60 else ("supplier" if roll < 0.85 else "both")
        is_business = rng.random() < (0.8 if kind == "supplier" else 0.25)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        prefix = rng.choice(PREFIXES) if not is_business and rng.random() < 0.2 else None
        company = _company(rng) if is_business or kind != "customer" else None
        name = company if is_business else " ".join(p for p in (prefix, first, last) if p)
        city, state, country, code = rng.choice(CITIES)
        email = None
        if rng.random() < 0.8:
            local = f"{first}.{last}".lower().replace("'", "") if not is_business else f"accounts{number % 97}"
            domain = rng.choice(DOMAINS) if not is_business else company.split()[0].lower() + ".example"
            email = f"{local}{number % 1000 if rng.random() < 0.5 else ''}@{domain}"
        created = start + timedelta(minutes=15 * (number - first_number), seconds=rng.randrange(600))
        yield (
            business_id,
            kind,
            "business" if is_business else "individual",
            f"CO{number:04d}",
            name,
            prefix,
            None if is_business else first,
            None if is_business else last,
            company,
            email,
            _phone(rng, code),
            _phone(rng, code) if rng.random() < 0.3 else None,
            _phone(rng, code) if rng.random() < 0.1 else None,
            f"TX{_digits(rng, 9)}" if kind != "customer" and rng.random() < 0.7 else None,
            city,
            state or None,
            country,
            f"{rng.randrange(1, 400)} {rng.choice(STREETS)}",
            f"{_digits(rng, 5)}",
            rng.choice(CREDIT_LIMITS),
            Decimal("0"),
            "inactive" if rng.random() < 0.08 else "active",
            False,
            False,
            user_id,
            created,
            created + timedelta(days=rng.randrange(0, 60)),
        )
        number += 1


@dataclass
class SeededBusiness:
    business: object
    admin: object
    token: str
    contacts: int  # live contacts, walk-in included
    customer_active: int  # rows of `kind=customer` (active), the CSV export


def _marker(rows: int, role: str) -> str:
    return f"bench-contacts v{SEED_VERSION} {role} rows={rows}"


def _issue_token(admin) -> str:
    from core.models import ApiCredential
    from core.services.credentials import credential_issue

    return credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bench").token


def _counts(business) -> tuple[int, int]:
    from contacts.models import Contact

    live = Contact.objects.for_business(business)
    return live.count(), live.filter(type__in=CUSTOMER_SIDE, contact_status="active").count()


def seed_business(marker: str, username: str, *, rows: int | None = None, customer_active: int | None = None):
    """One business made with the project's services (business, admin, walk-in customer, token) and
    its contacts COPYed in: `rows` of them, or as many as it takes for `customer_active` active
    customer-side contacts (walk-in included)."""
    from django.db import transaction

    from contacts.services import walk_in_customer_create
    from core.models import ReferenceCounter
    from core.services.business import business_create
    from core.services.users import user_create

    rng = random.Random(marker)  # the same seed data every time
    with transaction.atomic():
        business = business_create(name=marker, currency_code="USD")
        admin = user_create(business=business, username=username, admin=True, first_name="Bench", last_name="Admin")
        walk_in_customer_create(business=business, user=admin)  # CO0001
        source = contact_rows(rng, business_id=business.pk, user_id=admin.pk, first_number=2)
        written = wanted = 0
        target = None if customer_active is None else customer_active - 1  # the walk-in is one of them
        with (
            common.raw_connection().cursor() as cur,
            cur.copy(f"COPY contacts_contact ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in source:
                if rows is not None and written >= rows:
                    break
                if target is not None and wanted >= target:
                    break
                copy.write_row(row)
                written += 1
                wanted += row[TYPE] in CUSTOMER_SIDE and row[STATUS] == "active"
        ReferenceCounter.objects.filter(business=business, ref_type="contact").update(count=written + 1)
    contacts, active = _counts(business)
    return SeededBusiness(business, admin, _issue_token(admin), contacts, active)


def find_seed(rows: int) -> tuple[SeededBusiness, SeededBusiness] | None:
    """The kept seed for `rows`, with fresh tokens; None when the database holds anything else."""
    from core.models import Business, User

    found = []
    for role, username in (("large", "bench-large"), ("small", "bench-small")):
        business = Business.objects.filter(name=_marker(rows, role)).first()
        admin = User.objects.filter(business=business, username=username).first() if business else None
        if admin is None:
            return None
        contacts, active = _counts(business)
        found.append(SeededBusiness(business, admin, _issue_token(admin), contacts, active))
    large, small = found
    if large.contacts != rows + 1 or small.customer_active != min(SMALL_EXPORT_ROWS, max(1, rows // 10)):
        return None
    return large, small


def seed(rows: int) -> tuple[SeededBusiness, SeededBusiness]:
    with common.Stopwatch() as watch:
        large = seed_business(_marker(rows, "large"), "bench-large", rows=rows)
        small = seed_business(
            _marker(rows, "small"), "bench-small", customer_active=min(SMALL_EXPORT_ROWS, max(1, rows // 10))
        )
        common.vacuum_analyze("contacts_contact", "core_business", "core_user", "core_apicredential")
    common.say(f"seeded {large.contacts + small.contacts:,} contacts in {watch.seconds:.1f} s")
    return large, small
