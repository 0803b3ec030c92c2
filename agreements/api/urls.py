from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import views
from agreements.api.deal_views import AgreementMilestoneViewSet

# countries/ and allotments/ are routed by licensing.api.urls: their figures include the pending demand,
# which only licensing knows (licensing.api.impact composes them); parties/ too: an exporter's scope includes the
# parties on its filings, and a merge moves them (licensing.api.parties); agreements/{id}/performance/ too: its
# shipped figures are licensing's (licensing.api.impact).

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")

policy_proposals = views.PolicyProposalViewSet
milestones = AgreementMilestoneViewSet

urlpatterns = [
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("policy/proposals/", policy_proposals.as_view({"get": "list"}), name="policy-proposals"),
    path("policy/<int:pk>/", policy_proposals.as_view({"get": "retrieve"}), name="policy-detail"),
    path("policy/<int:pk>/approve/", policy_proposals.as_view({"post": "approve"}), name="policy-approve"),
    path("policy/<int:pk>/withdraw/", policy_proposals.as_view({"post": "withdraw"}), name="policy-withdraw"),
    path("agreements/<int:agreement_pk>/milestones/", milestones.as_view({"get": "list"}), name="milestone-list"),
    path(
        "agreements/<int:agreement_pk>/milestones/<int:pk>/record/",
        milestones.as_view({"post": "record"}),
        name="milestone-record",
    ),
    path(
        "agreements/<int:agreement_pk>/milestones/<int:pk>/waive/",
        milestones.as_view({"post": "waive"}),
        name="milestone-waive",
    ),
    *router.urls,
]
