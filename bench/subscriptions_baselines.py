"""The raw SQL baselines of the subscriptions benchmark, run by psycopg on Django's own connection.

GENERATE writes, in one statement of data-modifying CTEs, the same rows the generator writes for the seed's 12
missed months: the children (numbers from the invoice counter, dates computed from each parent's date, clamped to
the month's end, or on its repeat-on day), their lines copied from the parents', the billed periods, the three
activity rows per child, and each parent's next date. It is the cheapest way PostgreSQL can write them: set-based,
no per-parent transaction, no lock, no stock check.
"""

# Period k of a monthly parent, in the business's time zone (UTC in the seed): PostgreSQL's month arithmetic clamps to
# the month's last day as the schedule does; with a repeat-on day, that day clamped to the month's length.
PERIOD = """
    CASE WHEN p.subscription_repeat_on IS NULL
      THEN (p.transaction_date AT TIME ZONE 'UTC') + make_interval(months => {k})
      ELSE date_trunc('month', (p.transaction_date AT TIME ZONE 'UTC') + make_interval(months => {k}))
        + make_interval(days => LEAST(p.subscription_repeat_on, EXTRACT(DAY FROM date_trunc('month',
            (p.transaction_date AT TIME ZONE 'UTC') + make_interval(months => {k})) + INTERVAL '1 month - 1 day')::int)
            - 1)
        + (p.transaction_date AT TIME ZONE 'UTC')::time
    END
"""

GENERATE = f"""
WITH counter AS (
  UPDATE core_referencecounter SET count = count + %(children)s
  WHERE business_id = %(b)s AND ref_type = 'sell_invoice'
  RETURNING count - %(children)s AS start
),
due AS (
  SELECT p.*, k, ({PERIOD.format(k="k")}) AT TIME ZONE 'UTC' AS period_at,
         row_number() OVER (ORDER BY p.id, k) AS n
  FROM ledger_transaction p CROSS JOIN generate_series(1, %(missed)s) AS k
  WHERE p.business_id = %(b)s AND p.type = 'sell' AND p.is_recurring AND p.status = 'final'
    AND p.recur_stopped_on IS NULL
),
children AS (
  INSERT INTO ledger_transaction (
    business_id, location_id, contact_id, type, status, payment_status, invoice_no, transaction_date,
    total_before_tax, discount_type, discount_amount, shipping_charges, final_total, additional_notes,
    pay_term_number, pay_term_type, due_date, is_direct_sale, is_recurring, recur_parent_id, created_by_id,
    created_at, updated_at)
  SELECT d.business_id, d.location_id, d.contact_id, 'sell', 'final',
         CASE WHEN d.final_total <= 0 THEN 'paid' ELSE 'due' END,
         'INV' || CASE WHEN c.start + d.n >= 1000 THEN (c.start + d.n)::text
                       ELSE lpad((c.start + d.n)::text, 4, '0') END, d.period_at,
         d.total_before_tax, d.discount_type, d.discount_amount, d.shipping_charges, d.final_total, d.additional_notes,
         d.pay_term_number, d.pay_term_type, d.period_at, d.is_direct_sale, false, d.id, d.created_by_id, now(), now()
  FROM due d CROSS JOIN counter c
  RETURNING id, business_id, recur_parent_id, contact_id, location_id, invoice_no, transaction_date, final_total,
            discount_type, discount_amount, shipping_charges, payment_status
),
numbered AS (
  SELECT c.*, p.subscription_no,
         row_number() OVER (PARTITION BY c.recur_parent_id ORDER BY c.transaction_date) AS sequence,
         (c.transaction_date AT TIME ZONE 'UTC')::date AS period_date
  FROM children c JOIN ledger_transaction p ON p.id = c.recur_parent_id
),
lines AS (
  INSERT INTO ledger_sellline (business_id, transaction_id, product_id, variation_id, quantity, unit_price,
                               quantity_returned)
  SELECT c.business_id, c.id, l.product_id, l.variation_id, l.quantity, l.unit_price, 0
  FROM children c JOIN ledger_sellline l ON l.transaction_id = c.recur_parent_id
  RETURNING 1
),
periods AS (
  INSERT INTO subscriptions_subscriptionperiod (business_id, parent_id, sequence, period_date, invoice_id, created_at)
  SELECT business_id, recur_parent_id, sequence, period_date, id, now() FROM numbered
  RETURNING 1
),
activity AS (
  INSERT INTO core_activity (business_id, log_name, description, event, subject_type_id, subject_id, causer_id,
                             properties, created_at)
  SELECT n.business_id, 'default', a.description, a.event, a.subject_type_id, a.subject_id, NULL,
         a.extra || jsonb_build_object(
           'invoice_id', n.id, 'invoice_no', n.invoice_no, 'recur_parent_id', n.recur_parent_id,
           'subscription_no', n.subscription_no, 'period_date', n.period_date, 'sequence', n.sequence,
           'status', 'final'),
         now()
  FROM numbered n CROSS JOIN LATERAL (VALUES
    ('added', 'created', %(document_type)s, n.id, jsonb_build_object('attributes', jsonb_build_object(
       'type', 'sell', 'status', 'final', 'contact_id', n.contact_id, 'location_id', n.location_id,
       'invoice_no', n.invoice_no, 'ref_no', NULL, 'transaction_date', n.transaction_date,
       'final_total', trim_scale(n.final_total)::text, 'discount_type', n.discount_type,
       'discount_amount', trim_scale(n.discount_amount)::text, 'shipping_charges',
       trim_scale(n.shipping_charges)::text, 'payment_status', n.payment_status))),
    ('subscription invoice ' || n.invoice_no || ' generated for ' || n.period_date, 'subscription_invoice_generated',
     %(document_type)s, n.recur_parent_id, '{{}}'::jsonb),
    ('subscription invoice ' || n.invoice_no || ' generated for ' || n.period_date, 'subscription_invoice_generated',
     %(contact_type)s, n.contact_id, '{{}}'::jsonb)
  ) AS a(description, event, subject_type_id, subject_id, extra)
  RETURNING 1
),
schedule AS (
  UPDATE subscriptions_subscriptionschedule s SET next_date = (({PERIOD.format(k="%(missed)s + 1")}))::date,
         updated_at = now()
  FROM ledger_transaction p WHERE p.id = s.parent_id AND s.business_id = %(b)s
  RETURNING 1
)
SELECT (SELECT COUNT(*) FROM children), (SELECT COUNT(*) FROM lines), (SELECT COUNT(*) FROM periods),
       (SELECT COUNT(*) FROM activity), (SELECT COUNT(*) FROM schedule)
"""

# "One indexed query over the parents": every running subscription of the business, by its partial index.
PARENTS = """
SELECT id, transaction_date FROM ledger_transaction
WHERE business_id = %(b)s AND is_recurring AND type = 'sell' AND status = 'final' AND recur_stopped_on IS NULL
"""

# GET /subscriptions: the page (newest first, contact and location names), the count, and what the page's rows need
# (their children, what they billed, their stops).
LIST_COUNT = "SELECT COUNT(*) FROM ledger_transaction WHERE business_id = %(b)s AND type = 'sell' AND is_recurring"
LIST_PAGE = """
SELECT t.id, t.contact_id, c.name, t.transaction_date, t.invoice_no, t.subscription_no, t.location_id, l.name,
       t.is_direct_sale, t.recur_stopped_on, t.recur_interval, t.subscription_repeat_on, t.recur_repetitions,
       t.recur_interval_type
FROM ledger_transaction t JOIN contacts_contact c ON c.id = t.contact_id
LEFT JOIN core_businesslocation l ON l.id = t.location_id
WHERE t.business_id = %(b)s AND t.type = 'sell' AND t.is_recurring
ORDER BY t.transaction_date DESC, t.id DESC LIMIT %(limit)s OFFSET %(offset)s
"""
LIST_CHILDREN = """
SELECT recur_parent_id, id, invoice_no, transaction_date, status, created_at FROM ledger_transaction
WHERE recur_parent_id = ANY(%(ids)s) ORDER BY transaction_date, id
"""
LIST_BILLED = """
SELECT parent_id, COUNT(*), MAX(sequence) FROM subscriptions_subscriptionperiod WHERE parent_id = ANY(%(ids)s)
GROUP BY parent_id
"""
LIST_PAUSES = """
SELECT parent_id, stopped_on, resumed_on FROM subscriptions_subscriptionpause WHERE parent_id = ANY(%(ids)s)
ORDER BY parent_id, stopped_on
"""


def generate(conn, *, business_id: int, children: int, missed: int, document_type: int, contact_type: int):
    params = {
        "b": business_id,
        "children": children,
        "missed": missed,
        "document_type": document_type,
        "contact_type": contact_type,
    }
    with conn.transaction():
        return conn.execute(GENERATE, params, prepare=False).fetchone()


def parents(conn, business_id: int) -> list:
    return conn.execute(PARENTS, {"b": business_id}, prepare=False).fetchall()


def list_page(conn, business_id: int, page: int, per_page: int = 100) -> list:
    total = conn.execute(LIST_COUNT, {"b": business_id}).fetchone()[0]
    rows = conn.execute(
        LIST_PAGE, {"b": business_id, "limit": per_page, "offset": (page - 1) * per_page}, prepare=False
    ).fetchall()
    ids = [row[0] for row in rows]
    children = conn.execute(LIST_CHILDREN, {"ids": ids}, prepare=False).fetchall()
    billed = conn.execute(LIST_BILLED, {"ids": ids}, prepare=False).fetchall()
    pauses = conn.execute(LIST_PAUSES, {"ids": ids}, prepare=False).fetchall()
    return [total, rows, children, billed, pauses]
