from django.db import migrations


class Migration(migrations.Migration):
    """SentEmail now belongs to core, which keeps its table."""

    dependencies = [("network", "0009_organization_tax_id"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SentEmail")]
        ),
    ]
