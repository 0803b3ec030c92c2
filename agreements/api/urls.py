from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import parties, views

# countries/ and allotments/ are routed by licensing.api.urls: their figures include the pending demand,
# which only licensing knows (licensing.api.impact composes them).

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("parties", parties.PartyViewSet, basename="party")

urlpatterns = [
    path("policy/", views.PolicyView.as_view(), name="policy"),
    *router.urls,
]
