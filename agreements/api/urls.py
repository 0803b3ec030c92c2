from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import views

# countries/ and allotments/ are routed by licensing.api.urls: their figures include the pending demand,
# which only licensing knows (licensing.api.impact composes them); parties/ too: an exporter's scope includes the
# parties on its filings, and a merge moves them (licensing.api.parties).

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")

urlpatterns = [
    path("policy/", views.PolicyView.as_view(), name="policy"),
    *router.urls,
]
