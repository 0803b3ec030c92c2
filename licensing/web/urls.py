from django.urls import path

from licensing.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
