from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = "Licensing: catalogue, applications and licences"

    def ready(self) -> None:
        """The models whose rows the determination keeps across requests (licensing.reference_facts) replace the
        reference stamp on every write; so does every `migrate` (data migrations write through historical
        models, which send no signal to these receivers)."""
        from agreements.models import (
            Agreement,
            AgreementStatusChange,
            Country,
            CountryGroupMembership,
            InvestmentMilestone,
            Policy,
            TermsVersion,
            TierMembership,
        )
        from licensing.models import Product, Programme, ProgrammeCertification, ProgrammeVersion
        from portal import reference_stamp

        reference_stamp.stamped(
            Country, TierMembership, CountryGroupMembership, Policy, Product, Programme, ProgrammeVersion,
            ProgrammeCertification, Agreement, AgreementStatusChange, TermsVersion, InvestmentMilestone,
        )  # fmt: skip
        post_migrate.connect(_bump_after_migrate, sender=self, dispatch_uid="reference-stamp-migrate")


def _bump_after_migrate(using: str = "default", **_: object) -> None:
    from django.db import connections

    from portal import reference_stamp

    if "portal_referencestamp" in connections[using].introspection.table_names():
        reference_stamp.bump()
