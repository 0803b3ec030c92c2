from django.urls import path

from licensing.web import documents, lists, views

app_name = "exporter"

urlpatterns = [
    path("applications/", lists.application_list, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/delete/", lists.application_delete, name="application_delete"),
    path("applications/<int:pk>/items/<int:line_pk>/remove/", views.draft_line_remove, name="draft_line_remove"),
    path(
        "applications/<int:pk>/end-users/<int:party_pk>/remove/",
        views.draft_end_user_remove,
        name="draft_end_user_remove",
    ),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/respond/", views.application_respond, name="application_respond"),
    path("licences/", lists.licence_list, name="licences"),
    path("licences/<str:number>/", views.licence_detail, name="licence"),
    path("licences/<str:number>/obligations/<int:pk>/", views.obligation_submit, name="obligation_submit"),
    path("notifications/", views.notification_list, name="notifications"),
    path("us-sales/", views.us_sales_reports, name="us_sales_reports"),
    path("applications/<int:pk>/documents/", documents.application_document_upload, name="application_documents"),
    path(
        "licences/<str:number>/shipments/<int:pk>/documents/",
        documents.shipment_document_upload,
        name="shipment_documents",
    ),
]
