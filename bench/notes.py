"""Documents-and-notes benchmark: ten 5 MB files uploaded in one request and one downloaded, with the peak
Python memory beside the file size; and a list page of a contact with 10,000 notes and 20,000 files beside the
raw SQL (see bench/README.md).

    make bench-notes                                  # fresh erp_bench_notes, dropped after
    make bench-notes BENCH_ARGS="--keep --runs 31"    # keep the seed and reuse it
"""

import io
import os
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta

import common

SEED_VERSION = 1
LIST_GOAL = 3.0  # a list page within 3× of the raw SQL
MEMORY_GOAL = 1.0  # an upload or a download never holds more than one file's size in Python memory
FILE_SIZE = 5_000_000
FILES = 10
WORDS = (
    *("quote", "contract", "invoice", "delivery", "call", "visit", "complaint", "renewal", "discount", "samples"),
    *("pallet", "order", "price", "terms", "payment", "reminder", "signed", "scan", "copy", "warehouse"),
    *("shipment", "credit", "meeting", "follow-up", "proposal", "tender", "audit"),
)


def parse_args(argv=None):
    parser = common.base_parser(
        __doc__.split("\n")[0], database="erp_bench_notes", rows=10_000, runs=15, rows_what="notes"
    )
    parser.add_argument("--page", type=int, default=50, help="page of the deep list figure (default 50)")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a goal fails")
    return parser.parse_args(argv)


# --- seed ----------------------------------------------------------------------------------------


def _marker(rows: int) -> str:
    return f"bench-notes v{SEED_VERSION} notes={rows}"


class Seeded:
    def __init__(self, business, admin, contact, token, notes, visible, media):
        self.business, self.admin, self.contact, self.token = business, admin, contact, token
        self.notes, self.visible, self.media = notes, visible, media


def _token(admin) -> str:
    from core.models import ApiCredential
    from core.services.credentials import credential_issue

    return credential_issue(user=admin, kind=ApiCredential.Kind.TOKEN, name="bench").token


def _counts(contact, admin) -> tuple[int, int, int]:
    from contacts.models import DocumentNote, NoteMedia

    notes = DocumentNote.objects.filter(contact=contact)
    return notes.count(), notes.visible_to(admin).count(), NoteMedia.objects.filter(note__contact=contact).count()


def seed(rows: int) -> Seeded:
    """One business made with the project's services; `rows` notes on one contact (5% private notes of another
    user, which the benchmarking admin must not see) with two files each, COPYed in."""
    from django.db import transaction

    from contacts.models import Contact
    from contacts.services import contact_create
    from core.services.business import business_create
    from core.services.users import user_create

    rng = random.Random(rows)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with transaction.atomic():
        business = business_create(name=_marker(rows))
        admin = user_create(
            business=business, username="bench-notes", admin=True, first_name="Bench", last_name="Admin"
        )
        other = user_create(business=business, username="bench-other", admin=True)
        contact = contact_create(business=business, user=admin, data={"type": Contact.Type.CUSTOMER, "name": "Ada"})
    # a transaction of its own: the foreign keys dropped for the COPY cannot change with the contact insert pending
    with common.Stopwatch() as watch, transaction.atomic():
        conn = common.raw_connection()
        with common.bulk_load("contacts_documentnote", "contacts_notemedia"):
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY contacts_documentnote (business_id, contact_id, heading, description, is_private, "
                    "created_by_id, created_at, updated_at) FROM STDIN"
                ) as copy,
            ):
                for i in range(rows):
                    private = rng.random() < 0.05
                    at = start + timedelta(minutes=37 * i)
                    heading = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).capitalize()
                    description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40))) or None
                    copy.write_row(
                        (
                            business.pk,
                            contact.pk,
                            heading,
                            description,
                            private,
                            other.pk if private else admin.pk,
                            at,
                            at,
                        )
                    )
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM contacts_documentnote WHERE contact_id = %s ORDER BY id", [contact.pk]
                ).fetchall()
            ]
            with (
                conn.cursor() as cur,
                cur.copy(
                    "COPY contacts_notemedia (business_id, note_id, file, display_name, size, mime_type, "
                    "created_by_id, created_at) FROM STDIN"
                ) as copy,
            ):
                for note_id in ids:
                    for k, (ext, mime) in enumerate((("pdf", "application/pdf"), ("png", "image/png"))):
                        name = f"contact-notes/{business.pk}/{note_id}/{rng.getrandbits(128):032x}.{ext}"
                        copy.write_row(
                            (
                                business.pk,
                                note_id,
                                name,
                                f"scan-{note_id}-{k}.{ext}",
                                rng.randint(10_000, 5_000_000),
                                mime,
                                admin.pk,
                                start,
                            )
                        )
    common.vacuum_analyze("contacts_documentnote", "contacts_notemedia")
    common.say(f"seeded {rows:,} notes with {2 * rows:,} files in {watch.seconds:.1f} s")
    return Seeded(business, admin, contact, _token(admin), *_counts(contact, admin))


def find_seed(rows: int):
    from contacts.models import Contact
    from core.models import Business, User

    business = Business.objects.filter(name=_marker(rows)).first()
    admin = User.objects.filter(business=business, username="bench-notes").first() if business else None
    contact = Contact.objects.filter(business=business).exclude(is_default=True).first() if business else None
    if admin is None or contact is None:
        return None
    counts = _counts(contact, admin)
    if counts[0] != rows or counts[2] != 2 * rows:
        return None
    return Seeded(business, admin, contact, _token(admin), *counts)


# --- the raw SQL baseline ------------------------------------------------------------------------


class PageSQL:
    """What a hand-written list page needs: the count, the page of notes with the creator's name, and the files of
    those notes."""

    def __init__(self, seeded: Seeded, *, page: int, per_page: int):
        self.where = "n.business_id = %s AND n.contact_id = %s AND (n.is_private = false OR n.created_by_id = %s)"
        self.params = [seeded.business.pk, seeded.contact.pk, seeded.admin.pk]
        self.count = f"SELECT COUNT(*) FROM contacts_documentnote n WHERE {self.where}"
        self.page = (
            "SELECT n.id, n.heading, n.description, n.is_private, n.created_by_id, u.first_name, u.last_name, "
            "u.username, n.created_at, n.updated_at FROM contacts_documentnote n "
            f"LEFT JOIN core_user u ON u.id = n.created_by_id WHERE {self.where} "
            f"ORDER BY n.id DESC LIMIT {per_page} OFFSET {(page - 1) * per_page}"
        )
        self.media = (
            "SELECT id, note_id, file, display_name, size, mime_type FROM contacts_notemedia "
            "WHERE note_id = ANY(%s) ORDER BY note_id, id"
        )

    def run(self, conn):
        import psycopg

        with psycopg.ClientCursor(conn) as cur:
            total = cur.execute(self.count, self.params, prepare=False).fetchone()[0]
            rows = cur.execute(self.page, self.params, prepare=False).fetchall()
            media = cur.execute(self.media, [[r[0] for r in rows]], prepare=False).fetchall()
        return rows, total, media


# --- requests through the WSGI handler, bodies streamed from disk ----------------------------------


class Wsgi:
    """Requests through Django's WSGI handler as a server would send them: the body read from a file, the
    response iterated chunk by chunk, so the memory measured is the application's alone."""

    def __init__(self, token: str):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.token = token

    def __call__(self, method: str, path: str, *, query: str = "", body=None, length=0, content_type=""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(length),
            "wsgi.input": body or io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status = []
        result = self.handler(environ, lambda s, headers, exc_info=None: status.append(s))
        size, first = 0, b""
        try:
            for chunk in result:
                if not first:
                    first = bytes(chunk[:4096])
                size += len(chunk)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0].split()[0]), size, first


def multipart_file(directory: str) -> tuple[str, int]:
    """A multipart body of ten 5,000,000-byte files written to disk, as a client would stream it."""
    boundary = "BenchBoundary7MA4YWxkTrZu0gW"
    path = os.path.join(directory, "upload.body")
    chunk = os.urandom(1_000_000)
    with open(path, "wb") as out:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="heading"\r\n\r\nTen scans\r\n'.encode())
        for i in range(FILES):
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="scan-{i}.pdf"\r\n'
                f"Content-Type: application/pdf\r\n\r\n".encode()
            )
            out.write(b"%PDF-1.4\n")
            written = 9
            while written < FILE_SIZE:
                part = chunk[: FILE_SIZE - written]
                out.write(part)
                written += len(part)
            out.write(b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
    return path, f"multipart/form-data; boundary={boundary}"


# --- figures ---------------------------------------------------------------------------------------


def list_figure(report, args, client, seeded: Seeded, page: int, per_page: int = 100):
    import json

    conn = common.raw_connection()
    path = f"/api/v1/integration/contacts/{seeded.contact.pk}/documents-and-notes"
    params = {"page": page, "per_page": per_page}
    sql = PageSQL(seeded, page=page, per_page=per_page)
    body = json.loads(client.get(path, params).content)
    rows, total, media = sql.run(conn)
    assert [r["id"] for r in body["data"]] == [r[0] for r in rows], "the baseline returns other notes"
    assert body["meta"]["total"] == total == seeded.visible, (body["meta"]["total"], total, seeded.visible)
    assert sum(r["media_count"] for r in body["data"]) == len(media) == 2 * len(rows)
    statements = common.captured(lambda: client.get(path, params))
    replay = [s for s in statements if s not in ("BEGIN", "COMMIT")]
    samples = common.interleaved(
        {
            "ours": lambda: client.get(path, params),
            "raw": lambda: sql.run(conn),
            "django_sql": lambda: common.run_statements(conn, replay),
            "one_row": lambda: client.get(path, {"page": 1, "per_page": 1}),
        },
        runs=args.runs,
        warmup=args.warmup,
    )
    ours, raw = common.median(samples["ours"]), common.median(samples["raw"])
    django_sql, one_row = common.median(samples["django_sql"]), common.median(samples["one_row"])
    report.add(
        common.Figure(
            name=f"List page {page}, per_page={per_page} ({seeded.visible:,} visible notes, {seeded.media:,} files)",
            ours=ours,
            baseline=raw,
            unit="s",
            baseline_label="raw SQL",
            goal=LIST_GOAL,
            goal_text=f"≤ {LIST_GOAL:g}×",
            ours_samples=samples["ours"],
            baseline_samples=samples["raw"],
            extra={
                "django_sql_median_s": django_sql,
                "one_row_page_median_s": one_row,
                "queries_per_request": len(statements),
                "django_sql": statements,
                "baseline_sql": [sql.count, sql.page, sql.media],
            },
        )
    )
    report.note(
        f"list page {page}: {len(statements)} statements per request (the credential with its admin role, "
        f"the contact, count, page, files; a read opens no transaction); Django's SQL replayed takes "
        f"{common.human(django_sql, 's')} "
        f"({django_sql / raw:.2f}× the raw SQL, the credential and contact lookups included), the rest of the "
        f"request {common.human(max(0.0, ours - django_sql), 's')} is Python (auth, DRF, row shaping, JSON); a "
        f"one-note page takes {common.human(one_row, 's')}, so the 100 notes and their files cost "
        f"{common.human(max(0.0, ours - one_row), 's')} beyond the request's fixed cost"
    )


def memory_figures(report, seeded: Seeded, directory: str):
    from contacts.models import DocumentNote

    wsgi = Wsgi(seeded.token)
    path = f"/api/v1/integration/contacts/{seeded.contact.pk}/documents-and-notes"
    body_path, content_type = multipart_file(directory)
    length = os.path.getsize(body_path)

    def upload():
        with open(body_path, "rb") as body:
            status, _, first = wsgi("POST", path, body=body, length=length, content_type=content_type)
        assert status == 201, (status, first[:500])
        return first

    upload()  # once untraced: imports and caches are not the upload's
    with common.Stopwatch() as watch:
        _, peak = common.traced_peak(upload)
    note = DocumentNote.objects.filter(contact=seeded.contact).latest("id")
    media = list(note.media.order_by("id"))
    assert len(media) == FILES and all(m.size == FILE_SIZE for m in media)
    report.add(
        common.Figure(
            name=f"Upload {FILES} files of {FILE_SIZE:,} bytes in one request ({length:,} bytes): peak Python memory",
            ours=peak,
            baseline=FILE_SIZE,
            unit="bytes",
            baseline_label="one file",
            goal=MEMORY_GOAL,
            goal_text=f"≤ {MEMORY_GOAL:g}× one file",
            extra={"request_bytes": length, "seconds": watch.seconds},
        )
    )
    report.note(f"the upload ({length / 1e6:.1f} MB) took {watch.seconds:.2f} s through the WSGI handler, traced")

    url = f"{path}/{note.pk}/media/{media[0].pk}"

    def download():
        status, size, _ = wsgi("GET", url)
        assert status == 200 and size == FILE_SIZE, (status, size)

    download()
    _, peak = common.traced_peak(download)
    report.add(
        common.Figure(
            name=f"Download one {FILE_SIZE:,}-byte file: peak Python memory",
            ours=peak,
            baseline=FILE_SIZE,
            unit="bytes",
            baseline_label="the file",
            goal=MEMORY_GOAL,
            goal_text=f"≤ {MEMORY_GOAL:g}× the file",
        )
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    media_root = tempfile.mkdtemp(prefix="bench-notes-media-")
    os.environ["DJANGO_MEDIA_ROOT"] = media_root  # local-disk storage in a scratch directory
    os.environ["ERP_STORAGE"] = "local"
    try:
        with common.seeded_database(args, find=lambda: find_seed(args.rows), make=lambda: seed(args.rows)) as seeded:
            from django.test import Client

            report = common.Report(
                "notes",
                f"Documents-and-notes benchmark: one contact with {seeded.notes:,} notes ({seeded.visible:,} visible "
                f"to the caller) and {seeded.media:,} files, median of {args.runs} runs, PostgreSQL "
                f"{common.server_version()}",
            )
            client = Client(HTTP_AUTHORIZATION=f"Bearer {seeded.token}")
            list_figure(report, args, client, seeded, page=1)
            list_figure(report, args, client, seeded, page=min(args.page, max(1, seeded.visible // 100)))
            memory_figures(report, seeded, media_root)
            # the uploaded notes are not part of the seed
            from contacts.models import DocumentNote

            DocumentNote.objects.filter(contact=seeded.contact, heading="Ten scans").delete()
            report.meta = {**common.environment(), "database": args.database, "rows": args.rows, "runs": args.runs}
            common.publish(report)
    finally:
        shutil.rmtree(media_root, ignore_errors=True)
    return 1 if args.strict and not report.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
