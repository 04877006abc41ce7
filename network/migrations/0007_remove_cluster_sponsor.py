from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("network", "0006_sponsorships_from_cluster_sponsor")]

    operations = [migrations.RemoveField(model_name="cluster", name="sponsor")]
