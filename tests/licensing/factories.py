"""Build applications and licences in a given state through the same services users go through."""

from agreements.models import Country
from licensing import services
from licensing.models import Application, Product
from tests.factories import make_user


def product(name: str = "H100 SXM") -> Product:
    return Product.objects.get(name=name)


def application_body(destination: str = "IN", quantity: int = 5000, consignee: str = "Gulf Compute LLC") -> dict:
    """The API body of SPEC § 5.3."""
    return {
        "destination": destination,
        "end_use_category": "commercial_datacenter",
        "end_use": "Cloud training cluster",
        "parties": {
            "ultimate_consignee": {"name": consignee, "address": "1 Data Park", "country": destination},
            "end_users": [
                {"name": consignee, "address": "1 Data Park", "country": destination, "hq_country": destination}
            ],
            "purchaser": None,
            "intermediate_consignees": [],
        },
        "items": [{"product": product().pk, "quantity": quantity, "unit_price_usd": "25000.00"}],
    }


def draft(
    exporter=None,
    *,
    destination: str = "IN",
    quantity: int = 5000,
    consignee: str = "Gulf Compute LLC",
    items: list[tuple[str, int]] | None = None,
) -> Application:
    exporter = exporter or make_user("exporter")
    country = Country.objects.get(code=destination)
    lines = [{"product": product(name), "quantity": qty} for name, qty in (items or [("H100 SXM", quantity)])]
    return services.application_create(
        actor=exporter,
        destination=country,
        end_use_category="commercial_datacenter",
        end_use="Cloud training cluster",
        parties={
            "ultimate_consignee": {"name": consignee, "address": "1 Data Park", "country": country},
            "end_users": [{"name": consignee, "address": "1 Data Park", "country": country, "hq_country": country}],
        },
        items=lines,
    )


def submitted(exporter=None, **kwargs) -> Application:
    application = draft(exporter, **kwargs)
    return services.application_submit(actor=application.created_by, application=application)


def under_review(exporter=None, *, officer=None, **kwargs) -> Application:
    application = submitted(exporter, **kwargs)
    return services.application_start_review(actor=officer or make_user("licensing_officer"), application=application)


def recommended(exporter=None, *, officer=None, recommendation: str = "approve", **kwargs) -> Application:
    officer = officer or make_user("licensing_officer")
    application = under_review(exporter, officer=officer, **kwargs)
    return services.application_recommend(
        actor=officer, application=application, recommendation=recommendation, rationale="Checked the end user."
    )


def approved(exporter=None, *, approver=None, **kwargs) -> Application:
    application = recommended(exporter, **kwargs)
    return services.application_approve(actor=approver or make_user("approving_official"), application=application)
