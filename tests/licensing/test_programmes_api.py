"""The programmes and US-sales-reports endpoints (SPEC § 5.1 v2): versions written by policy administrators,
read by every role; sales attested by exporters for their own organisation."""

import pytest
from django.utils import timezone

from licensing.models import Product, Programme, UsSalesReport
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_exporters_read_the_seeded_programmes_with_their_versions(client_for):
    rows = client_for("exporter").get("/api/v1/programmes/").json()["results"]
    by_citation = {row["citation"]: row for row in rows}
    china = by_citation["FR Doc 2026-00789"]["versions"]
    assert [(v["effective_from"], v["presumption"], v["us_volume_ratio_percent"]) for v in china] == [
        ("2026-01-15", "case_by_case", "50.00")
    ]
    assert china[0]["per_customer_cap_units"] is None  # the reported 75,000 cap is recorded, off
    assert "75,000" in china[0]["notes"]
    assert len(china[0]["certifications"]) == 4
    h20 = next(row for row in rows if row["name"] == "H20-class licence requirement")["versions"]
    assert [(v["effective_from"], v["effective_until"], v["presumption"]) for v in h20] == [
        ("2025-04-09", "2025-08-10", "denial"),
        ("2025-08-11", None, "case_by_case"),
    ]
    assert sorted(h20[0]["named_products"]) == sorted(
        Product.objects.filter(name__in=["H20", "Instinct MI308"]).values_list("pk", flat=True)
    )


def test_a_policy_administrator_amends_a_programme_with_a_new_version(client_for):
    client = client_for("policy_admin")
    programme = Programme.objects.get(citation="FR Doc 2026-00789")
    version = {
        "effective_from": "2027-01-01",
        "destinations": ["CN", "HK", "MO"],
        "max_tpp": 21_000,
        "max_dram_bandwidth_gbps": 6_500,
        "exports_from_us_only": True,
        "presumption": "case_by_case",
        "per_customer_cap_units": 75_000,
        "certifications": [{"code": "us-supply", "text": "There is sufficient supply in the United States."}],
    }
    response = client.patch(f"/api/v1/programmes/{programme.pk}/", {"version": version}, format="json")
    assert response.status_code == 200, response.json()
    versions = response.json()["versions"]
    assert [(v["version"], v["effective_until"]) for v in versions] == [(1, "2026-12-31"), (2, None)]
    assert versions[1]["per_customer_cap_units"] == 75_000
    assert AuditEvent.objects.filter(verb="programme.amended", target_id=str(programme.pk)).exists()

    again = client.patch(f"/api/v1/programmes/{programme.pk}/", {"version": version}, format="json")
    assert again.status_code == 400 and "effective_from" in again.json()


def test_an_exporter_attests_us_sales_once_per_product_and_quarter(client_for):
    client = client_for("exporter")
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    body = {"product": Product.objects.get(name="H200 SXM").pk, "quarter": quarter, "units": 1000}
    created = client.post("/api/v1/us-sales-reports/", body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["attested_by"], created.json()["quarter"]) == (client.user.username, quarter)
    duplicate = client.post("/api/v1/us-sales-reports/", body, format="json")
    assert duplicate.status_code == 400 and "already attested" in duplicate.json()["quarter"][0]
    future = client.post("/api/v1/us-sales-reports/", body | {"quarter": f"{today.year + 1}Q1"}, format="json")
    assert future.status_code == 400
    garbled = client.post("/api/v1/us-sales-reports/", body | {"quarter": "Q3-2026"}, format="json")
    assert garbled.status_code == 400
    assert UsSalesReport.objects.count() == 1
