"""licensing 0008: today's inline parties become register entries, matched as SPEC § 2 says, none lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_user

pytestmark = [
    pytest.mark.usefixtures("serialized_reference_data"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BEFORE = [("licensing", "0005_licence_number_sequence"), ("agreements", "0008_party_register")]
AFTER = [("licensing", "0008_application_parties")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_inline_party_and_notified_consignee_is_registered_and_linked():
    exporter = make_user("exporter", organisation="Acme")
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Application, OldParty = old.get_model("licensing", "Application"), old.get_model("licensing", "Party")
        Notification, Lock = (
            old.get_model("licensing", "LppNotification"),
            old.get_model("licensing", "LppConsigneeYear"),
        )
        organisation_id = old.get_model("portal", "Membership").objects.get(user_id=exporter.pk).organisation_id
        now = timezone.now()

        def application(destination):
            return Application.objects.create(
                organisation_id=organisation_id,
                created_by_id=exporter.pk,
                destination_id=destination,
                end_use_category="research",
                end_use="Training",
                consignee_key="x",
            )

        india, malaysia = application("IN"), application("MY")
        rows = [
            (india, "ultimate_consignee", "Pune Research Institute", "IN", None),
            (india, "end_user", "Pune Research Institute Pvt. Ltd.", "IN", "IN"),
            (india, "purchaser", "Mumbai Trading Co", "IN", None),
            (malaysia, "ultimate_consignee", "Lion City Compute", "MY", None),
            (malaysia, "end_user", "Lion City Compute Sdn Bhd", "MY", "CN"),
        ]
        for app, role, name, country, hq in rows:
            OldParty.objects.create(
                application=app, role=role, name=name, address="1 Road", country_id=country, hq_country_id=hq
            )
        for consignee, destination in (("PUNE RESEARCH INSTITUTE", "IN"), ("Pune Research Institute", "AE")):
            Notification.objects.create(
                organisation_id=organisation_id,
                submitted_by_id=exporter.pk,
                destination_id=destination,
                consignee=consignee,
                consignee_key="puneresearchinstitute",
                end_user_hq=[destination],
                year=now.year,
                total_tpp=1000,
                determination={},
                created_at=now,
            )
        Lock.objects.create(consignee_key="puneresearchinstitute", year=now.year)

        new = migrate(AFTER)
        Party, Link = new.get_model("agreements", "Party"), new.get_model("licensing", "ApplicationParty")
        links = list(
            Link.objects.order_by("id").values_list(
                "name", "role", "party__normalised_name", "party__country_id", "hq_country_id"
            )
        )
        assert links == [
            ("Pune Research Institute", "ultimate_consignee", "puneresearchinstitute", "IN", None),
            ("Pune Research Institute Pvt. Ltd.", "end_user", "puneresearchinstitute", "IN", "IN"),
            ("Mumbai Trading Co", "purchaser", "mumbaitrading", "IN", None),
            ("Lion City Compute", "ultimate_consignee", "lioncitycompute", "MY", None),
            ("Lion City Compute Sdn Bhd", "end_user", "lioncitycompute", "MY", "CN"),
        ]
        assert sorted(Party.objects.values_list("normalised_name", "country_id")) == [
            ("lioncitycompute", "MY"),
            ("mumbaitrading", "IN"),
            ("puneresearchinstitute", "AE"),
            ("puneresearchinstitute", "IN"),
        ]
        pune = Party.objects.get(country_id="IN", normalised_name="puneresearchinstitute")
        assert pune.name == "Pune Research Institute" and pune.hq_country_id == "IN"
        assert set(pune.aliases) == {"Pune Research Institute Pvt. Ltd.", "PUNE RESEARCH INSTITUTE"}
        assert pune.created_by_organisation_id == organisation_id
        notified = new.get_model("licensing", "LppNotification").objects.order_by("id")
        assert [n.consignee_party.country_id for n in notified] == ["IN", "AE"]
        locks = new.get_model("licensing", "LppConsigneeYear").objects.values_list("party__country_id", "year")
        assert sorted(locks) == [("AE", now.year), ("IN", now.year)]
    finally:
        migrate(leaves)
