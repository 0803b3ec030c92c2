from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import parties, views

router = SimpleRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("allotments", views.AllotmentViewSet, basename="allotment")
router.register("parties", parties.PartyViewSet, basename="party")

urlpatterns = [
    path("policy/", views.PolicyView.as_view(), name="policy"),
    *router.urls,
]
