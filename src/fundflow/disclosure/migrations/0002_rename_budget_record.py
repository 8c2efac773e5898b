"""The stored budget is ``BudgetRecord``: ``UnitBudget`` is the budget value in fundflow.core.disclosure.model.

RenameModel renames the tables (disclosure_unitbudget → disclosure_budgetrecord, history likewise) and, through
django.contrib.contenttypes, the content types; rows and ids are kept.
"""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0001_initial'),
        ('regions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name='UnitBudget', new_name='BudgetRecord'),
        migrations.RenameModel(old_name='HistoricalUnitBudget', new_name='HistoricalBudgetRecord'),
    ]
