from django.urls import path
from rest_framework.routers import SimpleRouter

from licensing.api import views
from licensing.api.determinations import DeterminationBatchView, DeterminationView
from licensing.api.documents import ApplicationDocumentsView, DocumentDownloadView, ShipmentDocumentsView
from licensing.api.impact import (
    AgreementShipmentsPerformanceView,
    AllotmentDemandViewSet,
    CountryDemandViewSet,
    PolicyImpactCsvView,
    PolicyImpactView,
    ProposalImpactCsvView,
    ProposalImpactView,
)
from licensing.api.letters import ApplicationLetterView, LicenceDocumentView
from licensing.api.obligations import ObligationDocumentsView, ObligationViewSet
from licensing.api.parties import PartyFilingsViewSet
from licensing.api.programmes import ProgrammeViewSet, UsSalesReportViewSet

router = SimpleRouter()
router.register("countries", CountryDemandViewSet, basename="country")
router.register("allotments", AllotmentDemandViewSet, basename="allotment")
router.register("parties", PartyFilingsViewSet, basename="party")
router.register("products", views.ProductViewSet, basename="product")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("licences", views.LicenceViewSet, basename="licence")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("us-sales-reports", UsSalesReportViewSet, basename="us-sales-report")

urlpatterns = [
    path("determinations/", DeterminationView.as_view(), name="determination"),
    path("determinations/batch/", DeterminationBatchView.as_view(), name="determination-batch"),
    path("policy/impact/", PolicyImpactView.as_view(), name="policy-impact"),
    path("policy/impact/csv/", PolicyImpactCsvView.as_view(), name="policy-impact-csv"),
    path("policy/<int:pk>/impact/", ProposalImpactView.as_view(), name="policy-proposal-impact"),
    path("policy/<int:pk>/impact/csv/", ProposalImpactCsvView.as_view(), name="policy-proposal-impact-csv"),
    path("agreements/<int:pk>/performance/", AgreementShipmentsPerformanceView.as_view(), name="agreement-performance"),
    path("applications/<int:pk>/documents/", ApplicationDocumentsView.as_view(), name="application-documents"),
    path(
        "licences/<str:number>/shipments/<int:pk>/documents/",
        ShipmentDocumentsView.as_view(),
        name="shipment-documents",
    ),
    path("obligations/<int:pk>/documents/", ObligationDocumentsView.as_view(), name="obligation-documents"),
    path("documents/<int:pk>/", DocumentDownloadView.as_view(), name="document-download"),
    path("applications/<int:pk>/letter.pdf", ApplicationLetterView.as_view(), name="application-letter"),
    path("licences/<str:number>/document.pdf", LicenceDocumentView.as_view(), name="licence-document"),
    *router.urls,
]
