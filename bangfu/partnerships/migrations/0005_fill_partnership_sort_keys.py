"""Fill the sort key of the existing partnerships (ADR 0024): the same UPDATE as
`services.partnership_sort_keys_write`, over the historical models."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_sort_keys(apps, schema_editor):
    Partnership = apps.get_model("partnerships", "Partnership")
    Institution = apps.get_model("registry", "Institution")
    recipient = Institution.objects.filter(pk=OuterRef("recipient_id"))
    helper = Institution.objects.filter(pk=OuterRef("helper_id"))
    Partnership.objects.update(
        sort_county_code=Subquery(recipient.values("county__code")[:1]),
        sort_recipient_name=Subquery(recipient.values("name")[:1]),
        sort_helper_name=Subquery(helper.values("name")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("partnerships", "0004_partnership_sort_key"),
    ]

    operations = [
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
    ]
