"""Roles are Django groups holding permissions. This table is the one place that says which.

`sync_roles()` makes the groups match it; it runs after every `migrate`.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from portal.choices import Role

_POLICY_SIDE_READ = [
    "agreements.view_country",
    "agreements.view_tiermembership",
    "agreements.view_countrygroupmembership",
    "agreements.view_policy",
    "agreements.view_agreement",
    "agreements.view_agreementstatuschange",
    "agreements.view_termsversion",
    "agreements.view_termsperiod",
    "agreements.view_termspartycap",
    "agreements.view_investmentmilestone",
    "agreements.view_allotment",
    "agreements.view_allotmentpartycap",
    "agreements.view_ledgerentry",
    "agreements.view_allotment_usage",
]
_CASE_READ = [
    "licensing.view_application",
    "licensing.view_applicationparty",
    "licensing.view_applicationline",
    "licensing.view_inforequest",
    "licensing.view_referral",
    "licensing.view_licence",
    "licensing.view_licenceline",
    "licensing.view_shipment",
    "licensing.view_lppnotification",
    "licensing.view_document",
    "licensing.view_obligation",
    "licensing.view_obligationsubmission",
]
# Licence-review programmes are reference data every role reads (exporters see what they must certify).
_PROGRAMME_READ = [
    "licensing.view_programme",
    "licensing.view_programmeversion",
    "licensing.view_programmecertification",
]
_STAFF_READ = [
    *_POLICY_SIDE_READ,
    *_CASE_READ,
    *_PROGRAMME_READ,
    "licensing.view_certificationaffirmation",
    "licensing.view_ussalesreport",
    "licensing.view_product",
    "licensing.view_suspensionproposal",
    "portal.view_auditevent",
]
# Background tasks' results (django-tasks-db's admin): staff see what failed, with its traceback (issue 14).
_TASKS_READ = ["django_tasks_database.view_dbtaskresult"]
# The party register (SPEC § 2): staff see all of it, correct entries and merge duplicates.
_REGISTER_STAFF = ["agreements.view_party", "agreements.change_party", "agreements.merge_party"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.EXPORTER: [
        "licensing.file_application",
        "licensing.file_notification",
        "licensing.report_shipment",
        "licensing.submit_obligation",
        "licensing.file_us_sales_report",
        *_PROGRAMME_READ,
        "agreements.view_party",
        "agreements.add_party",
    ],
    Role.LICENSING_OFFICER: [
        *_STAFF_READ,
        *_TASKS_READ,
        *_REGISTER_STAFF,
        "licensing.review_application",
        "licensing.review_obligation",
    ],
    Role.APPROVING_OFFICIAL: [
        *_STAFF_READ,
        *_TASKS_READ,
        *_REGISTER_STAFF,
        "licensing.decide_application",
        "licensing.manage_licence",
    ],
    Role.AGENCY_REVIEWER: [
        "licensing.review_referral",
        "licensing.view_application",
        "licensing.view_referral",
        *_PROGRAMME_READ,
    ],
    Role.NEGOTIATOR: [
        *_POLICY_SIDE_READ,
        *_PROGRAMME_READ,
        "licensing.view_product",
        "agreements.negotiate_agreement",
        "agreements.add_agreement",
        "agreements.change_agreement",
        "agreements.add_termsversion",
    ],
    Role.POLICY_ADMIN: [
        *_STAFF_READ,
        *_TASKS_READ,
        *_REGISTER_STAFF,
        "agreements.switch_policy",
        "agreements.add_policy",
        "agreements.add_tiermembership",
        "agreements.change_tiermembership",
        "agreements.maintain_country_groups",
        "licensing.maintain_catalogue",
        "licensing.manage_programme",
        "licensing.add_product",
        "licensing.change_product",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "portal.view_organisation",
        "portal.add_organisation",
        "portal.change_organisation",
        "portal.view_agency",
        "portal.view_membership",
        "portal.add_membership",
        "portal.change_membership",
    ],
}


def _permission(label: str) -> Permission:
    app_label, codename = label.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def sync_roles(using: str = "default") -> None:
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for role, labels in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([_permission(label) for label in labels])


def on_post_migrate(sender, using: str = "default", **kwargs) -> None:
    sync_roles(using=using)
