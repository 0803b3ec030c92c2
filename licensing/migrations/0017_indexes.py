"""The allotment dashboard's pending demand per allotment, answered from a partial index alone, measured with EXPLAIN at 100,000 applications (docs/performance.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0016_recommendation_proposals"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("status__in", ["info_requested", "referred", "submitted", "under_review"])),
                fields=["allotment", "requested_tpp"],
                name="application_pending_demand_idx",
            ),
        ),
    ]
