from django.urls import path
from rest_framework.routers import SimpleRouter

from licensing.api import views
from licensing.api.determinations import DeterminationView

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")

urlpatterns = [
    path("determinations/", DeterminationView.as_view(), name="determination"),
    *router.urls,
]
