"""Parties become register entries (SPEC § 2 v2): each application's inline parties and each LPP notification's
consignee is matched by normalised name in its location country, or entered in the register; nothing is lost
(the filed name, address and declared headquarters stay on the link). LPP lock rows are re-keyed on the party."""

import django.db.models.deletion
from django.db import migrations, models

from agreements.party_matching import normalise_name


def _register(Party, cache, *, name, country_id, hq_country_id, address, created_by_id, organisation_id, at):
    key = (normalise_name(name), country_id)
    party = cache.get(key)
    if party is None:
        party = Party.objects.create(
            name=name.strip(),
            aliases=[],
            address=address or "",
            country_id=country_id,
            hq_country_id=hq_country_id or country_id,
            normalised_name=key[0],
            created_by_id=created_by_id,
            created_by_organisation_id=organisation_id,
            created_at=at,
        )
        cache[key] = party
    elif name.strip() != party.name and name.strip() not in party.aliases:
        party.aliases = [*party.aliases, name.strip()]
        party.save(update_fields=["aliases"])
    return party


def inline_parties_to_register(apps, schema_editor):
    Party = apps.get_model("agreements", "Party")
    ApplicationParty = apps.get_model("licensing", "ApplicationParty")
    LppNotification = apps.get_model("licensing", "LppNotification")
    LppConsigneeYear = apps.get_model("licensing", "LppConsigneeYear")
    cache = {(p.normalised_name, p.country_id): p for p in Party.objects.filter(merged_into__isnull=True)}
    for link in ApplicationParty.objects.select_related("application").order_by("id").iterator():
        application = link.application
        party = _register(
            Party,
            cache,
            name=link.name,
            country_id=link.country_id,
            hq_country_id=link.hq_country_id,
            address=link.address,
            created_by_id=application.created_by_id,
            organisation_id=application.organisation_id,
            at=application.created_at,
        )
        ApplicationParty.objects.filter(pk=link.pk).update(party_id=party.pk)
        if link.role == "ultimate_consignee" and application.consignee_key:
            type(application).objects.filter(pk=application.pk).update(consignee_key=party.normalised_name)
    for notification in LppNotification.objects.order_by("id").iterator():
        party = _register(  # a bare consignee name is located, and headquartered, in the destination
            Party,
            cache,
            name=notification.consignee,
            country_id=notification.destination_id,
            hq_country_id=None,
            address="",
            created_by_id=notification.submitted_by_id,
            organisation_id=notification.organisation_id,
            at=notification.created_at,
        )
        LppNotification.objects.filter(pk=notification.pk).update(
            consignee_party_id=party.pk, consignee_key=party.normalised_name
        )
    LppConsigneeYear.objects.all().delete()  # lock rows only: re-keyed on the party below
    pairs = LppNotification.objects.values_list("consignee_party_id", "year").distinct()
    LppConsigneeYear.objects.bulk_create([LppConsigneeYear(party_id=party, year=year) for party, year in pairs])


class Migration(migrations.Migration):
    # Not atomic: PostgreSQL refuses to ALTER a table with pending deferred-FK trigger events in the same
    # transaction as the rows' update. The data step runs in its own transaction.
    atomic = False

    dependencies = [
        ("agreements", "0008_party_register"),
        ("licensing", "0007_catalogue_bandwidth_and_parts"),
    ]

    operations = [
        migrations.RenameModel("Party", "ApplicationParty"),
        migrations.AlterModelOptions(
            name="applicationparty",
            options={
                "ordering": ["application", "id"],
                "verbose_name": "application party",
                "verbose_name_plural": "application parties",
            },
        ),
        migrations.AddField(
            model_name="applicationparty",
            name="party",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="application_links",
                to="agreements.party",
            ),
        ),
        migrations.AddField(
            model_name="lppnotification",
            name="consignee_party",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lpp_notifications",
                to="agreements.party",
            ),
        ),
        migrations.RemoveConstraint(model_name="lppconsigneeyear", name="one_lpp_lock_per_year"),
        migrations.AddField(
            model_name="lppconsigneeyear",
            name="party",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="agreements.party"
            ),
        ),
        migrations.RunPython(inline_parties_to_register, migrations.RunPython.noop, atomic=True),
        migrations.AlterField(
            model_name="applicationparty",
            name="party",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="application_links", to="agreements.party"
            ),
        ),
        migrations.AlterField(
            model_name="lppnotification",
            name="consignee_party",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="lpp_notifications", to="agreements.party"
            ),
        ),
        migrations.RemoveField(model_name="lppconsigneeyear", name="consignee_key"),
        migrations.AlterField(
            model_name="lppconsigneeyear",
            name="party",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="agreements.party"
            ),
        ),
        migrations.AddConstraint(
            model_name="lppconsigneeyear",
            constraint=models.UniqueConstraint(fields=("party", "year"), name="one_lpp_lock_per_party_year"),
        ),
        migrations.RemoveIndex(model_name="lppnotification", name="lpp_consignee_year_idx"),
        migrations.AddIndex(
            model_name="lppnotification",
            index=models.Index(fields=["consignee_party", "year"], name="lpp_party_year_idx"),
        ),
        migrations.AddIndex(
            model_name="applicationparty",
            index=models.Index(fields=["party", "role"], name="application_party_idx"),
        ),
    ]
