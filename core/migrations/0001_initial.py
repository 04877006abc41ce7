from django.db import migrations, models


class Migration(migrations.Migration):
    """SentEmail moves here from network: its table stays, only the model's owner changes."""

    initial = True

    dependencies = [("network", "0009_organization_tax_id")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SentEmail",
                    fields=[
                        ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ("template", models.CharField(max_length=200)),
                        ("sent_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        "verbose_name": "sent email",
                        "verbose_name_plural": "sent emails",
                        "db_table": "network_sentemail",
                    },
                ),
            ]
        ),
    ]
