import re

from django.db import migrations, models


def keep_last_four(apps, schema_editor):
    """Full card numbers stored before are cut to their last four digits (PCI DSS: never keep the whole number)."""
    Payment = apps.get_model("ledger", "TransactionPayment")
    rows = Payment.objects.exclude(card_number__isnull=True).exclude(card_number="")
    for payment in rows.only("pk", "card_number").iterator():
        digits = re.sub(r"[^0-9]", "", payment.card_number)
        Payment.objects.filter(pk=payment.pk).update(card_last4=digits[-4:] or None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_subscription_list_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="transactionpayment",
            name="card_last4",
            field=models.CharField(blank=True, max_length=4, null=True),
        ),
        migrations.RunPython(keep_last_four, migrations.RunPython.noop),
        migrations.RemoveField(model_name="transactionpayment", name="card_number"),
    ]
