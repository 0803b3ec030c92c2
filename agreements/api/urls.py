from django.urls import path
from rest_framework.routers import SimpleRouter

from agreements.api import views

router = SimpleRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("allotments", views.AllotmentViewSet, basename="allotment")

urlpatterns = [
    path("policy/", views.PolicyView.as_view(), name="policy"),
    *router.urls,
]
