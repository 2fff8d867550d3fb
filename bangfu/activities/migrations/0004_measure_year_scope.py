# The measure rows carry their agreement-year's year and partnership (ADR 0020): added nullable,
# filled from the agreement-year, then made required.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    measures = apps.get_model("activities", "MeasureYearProgress")
    years = apps.get_model("activities", "AgreementYearProgress")
    row = years.objects.filter(pk=OuterRef("agreement_year_id"))
    measures.objects.update(
        year=Subquery(row.values("year")[:1]),
        partnership_id=Subquery(row.values("partnership_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_stored_progress"),
        ("partnerships", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="measureyearprogress",
            name="year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="年度"),
        ),
        migrations.AddField(
            model_name="measureyearprogress",
            name="partnership",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partnerships.partnership",
                verbose_name="帮扶关系",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="measureyearprogress",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="年度"),
        ),
        migrations.AlterField(
            model_name="measureyearprogress",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partnerships.partnership",
                verbose_name="帮扶关系",
            ),
        ),
        migrations.AddIndex(
            model_name="measureyearprogress",
            index=models.Index(fields=["year", "partnership"], name="activities__year_aa7c7b_idx"),
        ),
    ]
