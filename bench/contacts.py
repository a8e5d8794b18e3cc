"""Contacts benchmark: the contacts list, search and CSV export through the real request stack,
each beside what PostgreSQL alone needs for the same rows (see bench/README.md).

    make bench-contacts                                   # 100,000 contacts, fresh database, dropped after
    make bench-contacts BENCH_ARGS="--keep"               # keep erp_bench and reuse it next time
    make bench-contacts BENCH_ARGS="--keep --runs 31"     # more runs on the kept seed
"""

import cProfile
import csv
import io
import math
import pstats
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import common

SEED_VERSION = 1
LIST_PATH = "/api/v1/integration/contacts"
CUSTOMER_SIDE = ("customer", "both")
SMALL_EXPORT_ROWS = 10_000
LIST_GOAL = 3.0  # a list page within 3× of the raw SQL
CSV_GOAL = 5.0  # a CSV export within 5× of COPY
FLAT_GOAL = 2.0  # peak memory at all rows within 2× of the peak at 10,000 rows


def parse_args(argv=None):
    parser = common.base_parser(__doc__.split("\n")[0], database="erp_bench", rows=100_000, runs=15)
    parser.add_argument("--csv-runs", type=int, default=5, help="timed runs of each CSV export (default 5)")
    parser.add_argument("--page", type=int, default=500, help="page of the list figure (default 500)")
    parser.add_argument("--q", default="son", help="search text of the search figure (default 'son')")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL Django runs")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request per figure")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


# --- seed data ---------------------------------------------------------------------------------


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


# --- the raw SQL baselines ---------------------------------------------------------------------


def _select_list(shape) -> str:
    """The columns the response shape reads, as the SQL a hand-written query would name."""
    from contacts.models import Contact

    columns = []
    for path in shape.paths:
        if "__" in path:
            raise SystemExit(f"bench/contacts.py: {path} crosses a relation; extend the baseline SQL by hand")
        columns.append(f'"{Contact._meta.get_field(path).column}"')
    return ", ".join(columns)


def _where(business_id: int, q: str | None) -> tuple[str, list]:
    sql = "business_id = %s AND deleted_at IS NULL AND type IN ('customer', 'both') AND contact_status = 'active'"
    params: list = [business_id]
    if q:
        columns = ("name", "supplier_business_name", "mobile", "landline", "alternate_number", "email", "contact_id")
        # UPPER(...) LIKE UPPER(...), not ILIKE: the same matches, and PostgreSQL runs it faster.
        sql += " AND (" + " OR ".join(f"UPPER({c}) LIKE UPPER(%s)" for c in columns) + ")"
        params += [f"%{q}%"] * len(columns)
    return sql, params


@dataclass
class PageSQL:
    page: str
    count: str
    params: list

    def run(self, conn) -> tuple[list[tuple], int]:
        import psycopg

        with psycopg.ClientCursor(conn) as cur:  # client-side binding, like Django's cursors
            total = cur.execute(self.count, self.params, prepare=False).fetchone()[0]
            rows = cur.execute(self.page, self.params, prepare=False).fetchall()
        return rows, total


def page_sql(shape, business_id: int, *, page: int, per_page: int, q: str | None = None) -> PageSQL:
    where, params = _where(business_id, q)
    return PageSQL(
        page=f"SELECT {_select_list(shape)} FROM contacts_contact WHERE {where} "
        f"ORDER BY id LIMIT {per_page} OFFSET {(page - 1) * per_page}",
        count=f"SELECT COUNT(*) FROM contacts_contact WHERE {where}",
        params=params,
    )


def copy_sql(shape, business_id: int) -> str:
    import psycopg

    where, params = _where(business_id, None)
    query = f"SELECT {_select_list(shape)} FROM contacts_contact WHERE {where} ORDER BY id"
    query = psycopg.ClientCursor(common.raw_connection()).mogrify(query, params)
    return f"COPY ({query}) TO STDOUT WITH CSV HEADER"


def run_copy(conn, sql: str) -> int:
    size = 0
    with conn.cursor() as cur, cur.copy(sql) as copy:
        for block in copy:
            size += len(block)
    return size


def run_statements(conn, statements: list[str]) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement, prepare=False)
            if cur.description is not None:
                cur.fetchall()


# --- the requests ------------------------------------------------------------------------------


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def get(self, params: dict):
        response = self.client.get(LIST_PATH, params)
        if response.status_code != 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            raise SystemExit(f"GET {LIST_PATH} {params} answered {response.status_code}: {body[:500]!r}")
        return response

    def download(self, params: dict) -> int:
        """The CSV download, read to the end and thrown away chunk by chunk, as a client would."""
        response = self.get(params)
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size

    def download_text(self, params: dict) -> str:
        return b"".join(self.get(params).streaming_content).decode("utf-8-sig")


def captured(fn) -> tuple[list[str], list[str]]:
    """The SQL statements Django sends for one call of `fn`: all of them, and those reading contacts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    return [q["sql"] for q in queries.captured_queries], [
        q["sql"] for q in queries.captured_queries if "contacts_contact" in q["sql"]
    ]


def profile(label: str, fn) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    common.say(f"\n=== cProfile: {label} ===\n{out.getvalue()}")


def explain(conn, label: str, statements: list[str]) -> None:
    for statement in statements:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, prepare=False).fetchall()
        common.say(f"\n=== EXPLAIN ANALYZE: {label} ===\n{statement}\n" + "\n".join(r[0] for r in plan))


# --- the figures -------------------------------------------------------------------------------


def list_figure(report, args, api, business_id, name, params, sql: PageSQL, per_page: int):
    conn = common.raw_connection()
    # Check once that the baseline answers with the same rows the endpoint does.
    response = api.get(params)
    body = response.json()
    rows, total = sql.run(conn)
    assert [r["id"] for r in body["data"]] == [r[0] for r in rows], f"{name}: baseline returns other rows"
    assert body["meta"]["total"] == total, f"{name}: baseline counts {total}, endpoint {body['meta']['total']}"
    assert rows, f"{name}: the page is empty"
    all_sql, contact_sql = captured(lambda: api.get(params))
    if args.explain:
        explain(conn, name, contact_sql)
    if args.profile:
        profile(name, lambda: api.get(params))

    samples = common.interleaved(
        {
            "ours": lambda: api.get(params),
            "raw": lambda: sql.run(conn),
            "django_sql": lambda: run_statements(conn, contact_sql),
        },
        runs=args.runs,
        warmup=args.warmup,
    )
    ours, raw, django_sql = (common.median(samples[k]) for k in ("ours", "raw", "django_sql"))
    report.add(
        common.Figure(
            name=name,
            ours=ours,
            baseline=raw,
            unit="s",
            baseline_label="raw SQL",
            goal=LIST_GOAL,
            goal_text=f"≤ {LIST_GOAL:g}×",
            ours_samples=samples["ours"],
            baseline_samples=samples["raw"],
            extra={
                "rows": len(rows),
                "total": total,
                "queries_per_request": len(all_sql),
                "django_sql": contact_sql,
                "django_sql_median_s": django_sql,
                "django_sql_samples": samples["django_sql"],
                "baseline_sql": [sql.count, sql.page],
                "baseline_params": sql.params,
            },
        )
    )
    report.note(
        f"{name}: {len(all_sql)} queries per request; Django's own contacts SQL takes "
        f"{common.human(django_sql, 's')} ({django_sql / raw:.2f}× the raw SQL), the rest of the request "
        f"{common.human(max(0.0, ours - django_sql), 's')} is Python (auth, DRF, row shaping, JSON)."
    )


def _csv_check(api, params, conn, copy: str, label: str) -> int:
    """The download and COPY hold the same contacts in the same order; returns the row count."""
    ours = list(csv.reader(io.StringIO(api.download_text(params))))
    out = io.BytesIO()
    with conn.cursor() as cur, cur.copy(copy) as stream:
        for block in stream:
            out.write(block)
    theirs = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert ours[0] == theirs[0], f"{label}: header {ours[0]} != {theirs[0]}"
    assert [r[0] for r in ours[1:]] == [r[0] for r in theirs[1:]], f"{label}: the download holds other rows"
    return len(ours) - 1


def csv_figures(report, args, large: SeededBusiness, small: SeededBusiness):
    from contacts.api.views import LIST_SHAPE

    conn = common.raw_connection()
    params = {"kind": "customer", "format": "csv"}
    measured = {}
    for seeded, label in ((large, "all"), (small, "small")):
        api = Api(seeded.token)
        copy = copy_sql(LIST_SHAPE, seeded.business.pk)
        rows = _csv_check(api, params, conn, copy, label)
        assert rows == seeded.customer_active, f"CSV holds {rows} rows, expected {seeded.customer_active}"
        if args.explain:
            explain(conn, f"CSV {label}", [copy[len("COPY (") : copy.rindex(") TO STDOUT")]])
        if args.profile:
            profile(f"CSV export, {rows:,} rows", lambda api=api: api.download(params))
        samples = common.interleaved(
            {"ours": lambda api=api: api.download(params), "copy": lambda copy=copy: run_copy(conn, copy)},
            runs=args.csv_runs,
            warmup=1,
        )
        ours_bytes, copy_bytes = api.download(params), run_copy(conn, copy)
        measured[label] = (api, rows)
        report.add(
            common.Figure(
                name=f"CSV export, kind=customer ({rows:,} rows)",
                ours=common.median(samples["ours"]),
                baseline=common.median(samples["copy"]),
                unit="s",
                baseline_label="COPY",
                goal=CSV_GOAL,
                goal_text=f"≤ {CSV_GOAL:g}×",
                ours_samples=samples["ours"],
                baseline_samples=samples["copy"],
                extra={"rows": rows, "bytes": ours_bytes, "copy_bytes": copy_bytes, "copy_sql": copy},
            )
        )

    # Peak memory: the small download once untraced and once traced first, so one-off allocations
    # (imports, caches, compiled patterns) are not charged to whichever export runs first.
    (small_api, small_rows), (_, large_rows) = measured["small"], measured["all"]
    small_api.download(params)
    common.traced_peak(lambda: small_api.download(params))
    peaks = {}
    for label, (api, _) in (("small", measured["small"]), ("all", measured["all"])):
        _, peaks[label] = common.traced_peak(lambda api=api: api.download(params))
    report.add(
        common.Figure(
            name=f"CSV peak Python memory, {large_rows:,} rows",
            ours=peaks["all"],
            baseline=peaks["small"],
            unit="bytes",
            baseline_label=f"at {small_rows:,} rows",
            goal=FLAT_GOAL,
            goal_text=f"flat: ≤ {FLAT_GOAL:g}× for {large_rows / small_rows:.1f}× rows",
            extra={"rows": large_rows, "baseline_rows": small_rows},
        )
    )


def run(args, large: SeededBusiness, small: SeededBusiness) -> common.Report:
    from contacts.api.views import LIST_SHAPE

    report = common.Report(
        "contacts",
        f"Contacts benchmark: {large.contacts:,} contacts in one business "
        f"({large.customer_active:,} active customer-side), median of {args.runs} runs "
        f"({args.csv_runs} for CSV), PostgreSQL {common.server_version()}",
    )
    api = Api(large.token)
    per_page = 100
    page = min(args.page, max(1, math.ceil(large.customer_active / per_page)))  # a full page when seeded small
    list_figure(
        report,
        args,
        api,
        large.business.pk,
        f"List page {page}, kind=customer, per_page={per_page}",
        {"kind": "customer", "per_page": per_page, "page": page},
        page_sql(LIST_SHAPE, large.business.pk, page=page, per_page=per_page),
        per_page,
    )
    list_figure(
        report,
        args,
        api,
        large.business.pk,
        f"Search q={args.q}, kind=customer, per_page={per_page}",
        {"kind": "customer", "per_page": per_page, "q": args.q},
        page_sql(LIST_SHAPE, large.business.pk, page=1, per_page=per_page, q=args.q),
        per_page,
    )
    csv_figures(report, args, large, small)
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    url = common.require_postgres_url(args.url)
    reuse = args.keep and not args.reseed and common.database_exists(url, args.database)
    database_url = common.with_database(url, args.database) if reuse else common.create_database(url, args.database)
    common.setup_django(database_url)
    common.migrate()
    seeded = find_seed(args.rows) if reuse else None
    if reuse and seeded is None:
        common.say(f"{args.database} holds no matching seed: recreating it")
        from django.db import connections

        connections.close_all()
        common.create_database(url, args.database)
        common.migrate()
    if seeded is None:
        seeded = seed(args.rows)
    else:
        common.say(f"reusing the seed in {args.database} (--reseed to start again)")
    try:
        report = run(args, *seeded)
        report.meta = {**common.environment(), "database": args.database, "rows": args.rows, "runs": args.runs}
        print(report.table())
        path = report.write_json()
        common.say(f"\nwritten to {path.relative_to(common.ROOT)}")
    finally:
        if not args.keep:
            common.drop_database(url, args.database)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
