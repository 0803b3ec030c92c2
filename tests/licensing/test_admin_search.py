import pytest
from django.test import Client

from tests.factories import make_user
from tests.licensing.factories import submitted

pytestmark = pytest.mark.django_db


def test_queue_search_matches_an_acn_in_any_case_and_an_exporter_by_part_of_its_name():
    acme = submitted(make_user("exporter", organisation="Acme AI Systems Inc."))
    northwind = submitted(make_user("exporter", organisation="Northwind Servers Ltd"))
    client = Client()
    client.force_login(make_user("licensing_officer"))

    by_acn = client.get("/admin/licensing/application/", {"q": acme.acn.lower()}).content.decode()
    assert acme.acn in by_acn and northwind.acn not in by_acn
    by_name = client.get("/admin/licensing/application/", {"q": "servers"}).content.decode()
    assert northwind.acn in by_name and acme.acn not in by_name
