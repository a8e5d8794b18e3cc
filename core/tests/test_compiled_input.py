"""core.api.compiled: a compiled run vouches for a body only with exactly what the serializer itself returns for it,
and leaves every other body (every error) to the serializer. Checked against the import's row serializer (the
Add-contact serializer), over generated bodies."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from contacts.api.import_rows import ImportRowSerializer
from contacts.models import CustomerGroup
from core.api.compiled import CompiledFirst, CompiledInput
from core.api.serializers import InputSerializer, Text

pytestmark = pytest.mark.django_db

NAMES = list(ImportRowSerializer().fields) + ["echo_only", "unknown", "id", "balance"]
SAMPLES = [
    "",
    " ",
    "a",
    " padded ",
    "x" * 49,
    "x" * 50,
    "x" * 51,
    "y" * 191,
    "y" * 192,
    "z" * 255,
    "z" * 256,
    "customer",
    "supplier",
    "both",
    "Customer",
    "individual",
    "business",
    "active",
    "inactive",
    "days",
    "months",
    "ada@example.com",
    "ada@example",
    "not an email",
    "0",
    "1",
    "-1",
    "30",
    "10000",
    "10001",
    "1.5",
    "12.34567",
    "1e3",
    "NaN",
    "99999999999999999999",
    "1985-12-10",
    "1985-12-10 10:00:00",
    "1985-13-10",
    "1899-12-31",
    "51.5072,-0.1276",
    "91,0",
    "true",
    "false",
    "[1]",
    '{"a": 1}',
    "nul\x00inside",
    "lone \ud800 surrogate",
    "\u00e9t\u00e9",
]
texts = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=12), st.integers().map(str))
bodies = st.dictionaries(st.sampled_from(NAMES), texts, max_size=12)
typed_rows = st.fixed_dictionaries(
    {"type": st.sampled_from(["customer", "supplier", "both"]), "name": st.sampled_from(["Ada", "Ada Lovelace"])},
    optional={name: texts for name in NAMES if name not in ("type", "name")},
)


def _outcome(run, body):
    try:
        return "valid", list(run(body).items())
    except serializers.ValidationError as exc:
        return "invalid", exc.detail


def _serializer(business):
    return ImportRowSerializer(context={"business": business})


def _check(business, body):
    serializer = _serializer(business)
    own = _outcome(lambda data: super(CompiledFirst, serializer).run_validation(data), body)
    vouched = CompiledInput(_serializer(business)).validate(body)
    if vouched is not None:
        assert own == ("valid", list(vouched.items()))
    assert _outcome(_serializer(business).run_validation, body) == own


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_body_is_judged_as_the_serializer_judges_it(business, body):
    _check(business, body)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=typed_rows)
def test_any_row_with_a_type_and_name_is_judged_as_the_serializer_judges_it(business, body):
    _check(business, body)


def test_plainly_valid_rows_are_vouched_for_with_the_serializers_data(business):
    group = CustomerGroup.objects.create(business=business, name="Retail")
    rows = [
        {
            "type": "customer",
            "name": "Ada Lovelace",
            "first_name": "Ada",
            "mobile": "+44 1",
            "email": "ada@example.com",
        },
        {
            "type": "supplier",
            "name": "Engines",
            "pay_term_number": "30",
            "pay_term_type": "days",
            "opening_balance": "150.50",
            "tax_number": "GB1",
        },
        {"type": "both", "name": "B", "dob": "1985-12-10", "credit_limit": "1000", "position": "51.5,-0.12"},
        {"type": "customer", "name": "G", "customer_group_id": str(group.pk), "contact_status": "inactive"},
    ]
    for row in rows:
        vouched = CompiledInput(_serializer(business)).validate(row)
        assert vouched is not None, row
        serializer = _serializer(business)
        assert list(vouched.items()) == list(super(CompiledFirst, serializer).run_validation(row).items())
    assert CompiledInput(_serializer(business)).validate(rows[3])["customer_group"] == group


@pytest.mark.parametrize(
    "change",
    [
        {"email": "ada@example"},
        {"prefix": "x" * 51},
        {"type": "Customer"},
        {"unknown": "1"},
        {"mobile": " "},
        {"city": "nul\x00"},
        {"pay_term_number": "10001"},
        {"dob": "1985-13-10"},
        {"position": "91,0"},
    ],
)
def test_a_doubtful_row_is_left_to_the_serializer(business, change):
    row = {"type": "customer", "name": "Ada", **change}
    assert CompiledInput(_serializer(business)).validate(row) is None
    outcome = _outcome(_serializer(business).run_validation, row)
    assert outcome[0] == ("valid" if change == {"mobile": " "} else "invalid")  # blank text is null, not an error
    serializer = _serializer(business)
    assert outcome == _outcome(lambda data: super(CompiledFirst, serializer).run_validation(data), row)


def test_a_serializer_with_rules_of_its_own_is_never_compiled():
    class WithValidate(InputSerializer):
        name = Text()

        def validate(self, attrs):
            raise serializers.ValidationError("never")

    class WithValidators(InputSerializer):
        name = Text()

        class Meta:
            validators = [lambda attrs: None]

    assert CompiledInput(WithValidate()).validate({"name": "a"}) is None
    assert CompiledInput(WithValidators()).validate({"name": "a"}) is None
    assert CompiledInput(ImportRowSerializer()).usable
