from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import parties, views

# countries/ and allotments/ are routed by licensing.api.urls: their figures include the pending demand,
# which only licensing knows (licensing.api.impact composes them).

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("parties", parties.PartyViewSet, basename="party")

policy_proposals = views.PolicyProposalViewSet

urlpatterns = [
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("policy/proposals/", policy_proposals.as_view({"get": "list"}), name="policy-proposals"),
    path("policy/<int:pk>/", policy_proposals.as_view({"get": "retrieve"}), name="policy-detail"),
    path("policy/<int:pk>/approve/", policy_proposals.as_view({"post": "approve"}), name="policy-approve"),
    path("policy/<int:pk>/withdraw/", policy_proposals.as_view({"post": "withdraw"}), name="policy-withdraw"),
    *router.urls,
]
