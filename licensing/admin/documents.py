"""Supporting documents on the admin's case and licence pages: each file with its malware-scan status, and a
download link where the viewer may open it now (the API's scoped view decides: staff only once it is clean, or
not scanned where no scanner is configured; an infected file never)."""

from licensing import document_selectors
from licensing.models import Application, Licence


class CaseDocumentsMixin:
    """Puts the case's documents (its own, its answers', its shipments') on the change page's context."""

    def render_change_form(self, request, context, *args, **kwargs):
        record = kwargs.get("obj")
        application = record.application if isinstance(record, Licence) else record
        if isinstance(application, Application):
            context["case_documents"] = document_selectors.documents_of_application(request.user, application)
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]
