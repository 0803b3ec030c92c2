"""Supporting documents on the admin's case and licence pages: each file with its malware-scan status, and a
download link where the viewer may open it now (the API's scoped view decides: staff only once it is clean, or
not scanned where no scanner is configured; an infected file never). Decided cases also link their decision
letter and licence document (PDF; rendered on the spot if the task has not run yet)."""

from django.urls import reverse

from licensing import document_selectors
from licensing.models import Application, Licence
from licensing.services.letters import DECIDED


def case_letters(application: Application) -> list[tuple[str, str]]:
    """(label, download URL) of the case's decision letter and licence document, once it is decided."""
    if application.status not in DECIDED:
        return []
    found = [("Decision letter (PDF)", reverse("application-letter", args=[application.pk]))]
    licence = Licence.objects.filter(application=application).only("number").first()
    if licence is not None:
        found.append((f"Licence {licence.number} (PDF)", reverse("licence-document", args=[licence.number])))
    return found


class CaseDocumentsMixin:
    """Puts the case's documents (its own, its answers', its shipments') on the change page's context."""

    def render_change_form(self, request, context, *args, **kwargs):
        record = kwargs.get("obj")
        application = record.application if isinstance(record, Licence) else record
        if isinstance(application, Application):
            context["case_documents"] = document_selectors.documents_of_application(request.user, application)
            context["case_letters"] = case_letters(application)
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]
