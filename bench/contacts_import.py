"""Contact import benchmark: a 10,000-row xlsx and a 50,000-row csv imported through POST /contacts/import on
PostgreSQL, each beside the time its reader alone takes and a COPY of the same contacts (see bench/README.md).

    make bench-import                                    # fresh erp_bench_import, dropped afterwards
    make bench-import BENCH_ARGS="--keep --runs 5"       # keep the seeded business and reuse it
    make bench-import BENCH_ARGS="--keep --profile"      # cProfile of one import per file to stderr
"""

import csv
import io
import random
import sys
from datetime import UTC, date, datetime

import common
from contacts_seed import CITIES, FIRST, LAST, STREETS, _company, _phone, seed_business

PATH = "/api/v1/integration/contacts/import"
RATE_GOAL = 5_000  # rows per second, end to end
COPY_GOAL = 10.0  # end to end within 10× a COPY of the same contacts
STATEMENTS_GOAL = 0.01  # statements per row: batched, never one per row
MARKER = "bench-import v1"
EXISTING = 20_000  # contacts already in the business, so code look-ups meet a real index


def parse_args(argv=None):
    parser = common.base_parser(__doc__.split("\n")[0], database="erp_bench_import", rows=50_000, runs=3)
    parser.add_argument("--xlsx-rows", type=int, default=10_000, help="rows of the xlsx file (default 10,000)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one import per file")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


# --- the files ---------------------------------------------------------------------------------


def contact_rows(n: int, seed: str) -> list[list]:
    """`n` rows of the import layout, typed as a spreadsheet holds them: 60% customers, 25% suppliers (with pay
    terms), 15% both; a third with an opening balance; a tenth with a typed contact id; most with e-mail and city."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        roll = rng.random()
        marker = 1 if roll < 0.60 else (2 if roll < 0.85 else 3)
        city, state, country, code = rng.choice(CITIES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        supplier_side = marker != 1
        rows.append(
            [
                marker,
                rng.choice(("Mr", "Ms", "Dr", "")) if rng.random() < 0.2 else "",
                first,
                "",
                last,
                _company(rng) if supplier_side and rng.random() < 0.7 else "",
                f"IMP-{seed}-{i:06d}" if rng.random() < 0.1 else "",
                f"TX{rng.randrange(10**8, 10**9)}" if supplier_side and rng.random() < 0.5 else "",
                round(rng.uniform(1, 5000), 2) if rng.random() < 0.33 else "",
                rng.choice((7, 15, 30, 60)) if supplier_side else "",
                rng.choice(("days", "months")) if supplier_side else "",
                rng.choice(("", 500, 1000, 2500.5)) if marker != 2 else "",
                f"{first}.{last}{i}@example.com".lower().replace("'", "") if rng.random() < 0.8 else "",
                _phone(rng, code),
                _phone(rng, code) if rng.random() < 0.2 else "",
                "",
                city,
                state,
                country,
                f"{rng.randrange(1, 400)} {rng.choice(STREETS)}",
                "",
                str(rng.randrange(10000, 99999)),
                date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))
                if rng.random() < 0.3
                else "",
                "",
                "",
                "",
                "",
            ]
        )
    return rows


def header() -> list[str]:
    from contacts.importing.columns import header_labels

    return header_labels()


def xlsx_file(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(header())
    for cells in rows:
        sheet.append([None if c == "" else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows: list[list]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header())
    for cells in rows:
        writer.writerow([c.isoformat() if isinstance(c, date) else c for c in cells])
    return out.getvalue().encode("utf-8")


# --- the baselines -----------------------------------------------------------------------------


def read_alone(kind: str, content: bytes) -> int:
    """What the file's reader alone takes: calamine's cells, or the csv module's rows of the decoded text."""
    if kind == "xlsx":
        from python_calamine import CalamineWorkbook

        return len(CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python())
    return sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


COPY_COLUMNS = [
    "business_id",
    "type",
    "contact_id",
    "name",
    "prefix",
    "first_name",
    "last_name",
    "supplier_business_name",
    "tax_number",
    "email",
    "mobile",
    "alternate_number",
    "city",
    "state",
    "country",
    "address_line_1",
    "zip_code",
    "dob",
    "pay_term_number",
    "pay_term_type",
    "credit_limit",
    "balance",
    "contact_status",
    "is_default",
    "is_export",
    "created_by_id",
    "created_at",
    "updated_at",
]
KINDS = {1: "customer", 2: "supplier", 3: "both"}


def copy_rows(rows: list[list], business_id: int, user_id: int) -> list[tuple]:
    """The contacts the import stores, as COPY rows (codes given, as the import derives them)."""
    now = datetime.now(UTC)
    out = []
    for i, c in enumerate(rows):
        name = " ".join(p for p in (c[1], c[2], c[4]) if p)
        out.append(
            (
                business_id,
                KINDS[c[0]],
                c[6] or f"COPY{i:06d}",
                name,
                c[1] or None,
                c[2],
                c[4] or None,
                c[5] or None,
                c[7] or None,
                c[12] or None,
                c[13],
                c[14] or None,
                c[16],
                c[17] or None,
                c[18],
                c[19],
                c[21],
                c[22] or None,
                c[9] or None,
                c[10] or None,
                c[11] if c[11] != "" else None,
                0,
                "active",
                False,
                False,
                user_id,
                now,
                now,
            )
        )
    return out


def run_copy(conn, rows: list[tuple]) -> None:
    """COPY the contacts in, inside a transaction rolled back afterwards (every run starts from the same table)."""
    from django.db import transaction

    with transaction.atomic():
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY contacts_contact ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        transaction.set_rollback(True)


# --- the import --------------------------------------------------------------------------------


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def imported(self, content: bytes, name: str, *, keep: bool = False, dry_run: bool = False) -> dict:
        """POST the file and read the answer; the request's transaction is rolled back unless `keep`."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import transaction

        with transaction.atomic():
            form = {"contacts_csv": SimpleUploadedFile(name, content), "dry_run": "true" if dry_run else "false"}
            response = self.client.post(PATH, form)
            body = response.json()
            if response.status_code != (200 if dry_run else 201):
                raise SystemExit(f"POST {PATH} answered {response.status_code}: {str(body)[:800]}")
            if not keep:
                transaction.set_rollback(True)
        return body["data"]


def check(api, seeded, kind: str, content: bytes, rows: list[list]) -> None:
    """Once, kept until the end of the check: the import stores every row, its opening balances and activity."""
    from django.db import transaction

    from contacts.models import Contact
    from core.models import Activity
    from ledger.models import Transaction

    with transaction.atomic():
        before = Contact.objects.filter(business=seeded.business).count()
        data = api.imported(content, f"bench.{kind}", keep=True)
        openings = sum(1 for r in rows if r[8] not in ("", 0))
        assert data["imported"] == len(rows), data
        assert Contact.objects.filter(business=seeded.business).count() == before + len(rows)
        assert Transaction.objects.filter(business=seeded.business, type="opening_balance").count() == openings
        assert Activity.objects.filter(business=seeded.business, description="imported").count() == len(rows)
        transaction.set_rollback(True)


def figures(report, args, api, seeded, kind: str, rows: list[list]) -> None:
    conn = common.raw_connection()
    content = xlsx_file(rows) if kind == "xlsx" else csv_file(rows)
    n = len(rows)
    label = f"{kind}, {n:,} rows"
    check(api, seeded, kind, content, rows)
    copies = copy_rows(rows, seeded.business.pk, seeded.admin.pk)
    statements = common.captured(lambda: api.imported(content, f"bench.{kind}"))
    if args.profile:
        common.profile(f"import {label}", lambda: api.imported(content, f"bench.{kind}"), limit=40)
    samples = common.interleaved(
        {
            "ours": lambda: api.imported(content, f"bench.{kind}"),
            "dry_run": lambda: api.imported(content, f"bench.{kind}", dry_run=True),
            "read": lambda: read_alone(kind, content),
            "copy": lambda: run_copy(conn, copies),
        },
        runs=args.runs,
        warmup=1,
    )
    ours, dry, read, copy = (common.median(samples[k]) for k in ("ours", "dry_run", "read", "copy"))
    _, peak = common.traced_peak(lambda: api.imported(content, f"bench.{kind}"))
    common_extra = {"rows": n, "file_bytes": len(content)}
    report.add(
        common.Figure(
            name=f"import {label}: rate",
            ours=ours,
            baseline=n / RATE_GOAL,
            unit="s",
            baseline_label=f"at {RATE_GOAL:,} rows/s",
            goal=1.0,
            goal_text=f"≥ {RATE_GOAL:,} rows/s",
            ours_samples=samples["ours"],
            extra={
                **common_extra,
                "rows_per_second": n / ours,
                "dry_run_s": dry,
                "dry_run_samples": samples["dry_run"],
            },
        )
    )
    report.add(
        common.Figure(
            name=f"import {label}: against COPY",
            ours=ours,
            baseline=copy,
            unit="s",
            baseline_label="COPY of the contacts",
            goal=COPY_GOAL,
            goal_text=f"≤ {COPY_GOAL:g}×",
            ours_samples=samples["ours"],
            baseline_samples=samples["copy"],
            extra=common_extra,
        )
    )
    reader = "calamine" if kind == "xlsx" else "csv module"
    report.add(
        common.Figure(
            name=f"import {label}: against reading",
            ours=ours,
            baseline=read,
            unit="s",
            baseline_label=f"{reader} read alone",
            goal_text="none",
            ours_samples=samples["ours"],
            baseline_samples=samples["read"],
            extra=common_extra,
        )
    )
    report.add(
        common.Figure(
            name=f"import {label}: peak Python memory",
            ours=peak,
            baseline=len(content),
            unit="bytes",
            baseline_label="the file's size",
            goal_text="none",
            extra=common_extra,
        )
    )
    report.add(
        common.Figure(
            name=f"import {label}: statements",
            ours=len(statements),
            baseline=n,
            unit="stmts",
            baseline_label="rows",
            goal=STATEMENTS_GOAL,
            goal_text=f"≤ {STATEMENTS_GOAL:g} per row",
            extra={**common_extra, "by_kind": kinds(statements)},
        )
    )
    report.note(
        f"{label}: {n / ours:,.0f} rows/s end to end ({common.human(ours, 's')}; the dry run, reading and "
        f"checking every row, {common.human(dry, 's')}), reading alone "
        f"{common.human(read, 's')}, COPY {common.human(copy, 's')}; {len(statements)} statements "
        f"({', '.join(f'{v} {k}' for k, v in kinds(statements).items())})."
    )


def kinds(statements: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for statement in statements:
        words = statement.split()
        key = " ".join(words[:3]) if words[:1] == ["INSERT"] else (words[0] if words else "")
        key = key.replace('"', "")
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def find():
    from core.models import Business, User

    business = Business.objects.filter(name=MARKER).first()
    admin = User.objects.filter(business=business, username="bench-import").first() if business else None
    if admin is None:
        return None
    from contacts_seed import SeededBusiness, _issue_token

    return SeededBusiness(business, admin, _issue_token(admin), 0, 0)


def main(argv=None) -> int:
    args = parse_args(argv)
    with common.seeded_database(
        args, find=find, make=lambda: seed_business(MARKER, "bench-import", rows=EXISTING)
    ) as seeded:
        common.vacuum_analyze("contacts_contact")
        report = common.Report(
            "contacts-import",
            f"Contact import benchmark: POST {PATH} into a business of {EXISTING:,} contacts, median of "
            f"{args.runs} runs, PostgreSQL {common.server_version()}",
        )
        api = Api(seeded.token)
        figures(report, args, api, seeded, "xlsx", contact_rows(args.xlsx_rows, "x"))
        figures(report, args, api, seeded, "csv", contact_rows(args.rows, "c"))
        report.meta = {**common.environment(), "database": args.database, "runs": args.runs}
        common.publish(report)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
