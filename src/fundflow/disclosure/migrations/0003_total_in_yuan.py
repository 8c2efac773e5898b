"""Store 支出合计 in 元 like every other amount (it was 万元): existing totals, history included, are multiplied
by 10000 exactly in Decimal, row by row (no database arithmetic that could pass through a float on SQLite).
"""

from decimal import Decimal

from django.db import migrations, models

YUAN_PER_WAN = Decimal(10000)


def _scale(apps, factor, divide=False):
    for name in ("BudgetRecord", "HistoricalBudgetRecord"):
        model = apps.get_model("disclosure", name)
        pk = model._meta.pk.name
        for key, total in model.objects.values_list(pk, "total"):
            if total is not None:
                value = total / factor if divide else total * factor
                model.objects.filter(**{pk: key}).update(total=value)


def to_yuan(apps, schema_editor):
    _scale(apps, YUAN_PER_WAN)


def to_wan(apps, schema_editor):
    _scale(apps, YUAN_PER_WAN, divide=True)


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0002_rename_budget_record'),
    ]

    operations = [
        migrations.AlterField(
            model_name='budgetrecord',
            name='total',
            field=models.DecimalField(decimal_places=2, max_digits=18, verbose_name='支出合计（元）'),
        ),
        migrations.AlterField(
            model_name='historicalbudgetrecord',
            name='total',
            field=models.DecimalField(decimal_places=2, max_digits=18, verbose_name='支出合计（元）'),
        ),
        migrations.RunPython(to_yuan, to_wan),
    ]
