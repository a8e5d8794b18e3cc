from django.db import migrations, models


def empty_text_to_null(apps, schema_editor):
    """Empty optional text is null (README): what earlier versions stored as "" becomes null."""
    Contact = apps.get_model("contacts", "Contact")
    for field in ("mobile", "email"):
        Contact.objects.filter(**{field: ""}).update(**{field: None})


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="mobile",
            field=models.CharField(blank=True, max_length=191, null=True),
        ),
        migrations.RunPython(empty_text_to_null, migrations.RunPython.noop),
    ]
