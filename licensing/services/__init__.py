"""Every write of the case side: one public function per use case, one transaction each, each audited."""

from licensing.services.applications import (
    application_create,
    application_respond,
    application_submit,
    application_update,
    application_withdraw,
)
from licensing.services.catalogue import product_save
from licensing.services.decisions import application_approve, application_deny
from licensing.services.licences import (
    licence_reinstate,
    licence_revoke,
    licence_suspend,
    licences_expire,
    shipment_report,
)
from licensing.services.notifications import notification_file
from licensing.services.obligations import (
    obligation_accept,
    obligation_record_payment,
    obligation_reject,
    obligation_submit,
)
from licensing.services.overdue import daily_obligations, proposal_confirm, proposal_dismiss, proposals_raise
from licensing.services.programmes import programme_amend, programme_create, us_sales_report_file
from licensing.services.review import (
    application_agency_recommend,
    application_recommend,
    application_refer,
    application_request_info,
    application_return,
    application_start_review,
    info_request_amend,
    info_request_withdraw,
)

__all__ = [
    "daily_obligations",
    "programme_amend",
    "programme_create",
    "us_sales_report_file",
    "application_agency_recommend",
    "application_approve",
    "application_create",
    "application_deny",
    "application_recommend",
    "application_refer",
    "application_request_info",
    "application_respond",
    "application_return",
    "application_start_review",
    "application_submit",
    "application_update",
    "application_withdraw",
    "info_request_amend",
    "info_request_withdraw",
    "licence_reinstate",
    "licence_revoke",
    "licence_suspend",
    "licences_expire",
    "notification_file",
    "obligation_accept",
    "obligation_record_payment",
    "obligation_reject",
    "obligation_submit",
    "proposal_confirm",
    "proposal_dismiss",
    "proposals_raise",
    "product_save",
    "shipment_report",
]
