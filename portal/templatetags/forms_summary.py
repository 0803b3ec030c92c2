"""`{% error_summary form formset … %}`: after a failed submit, every error at the top of the page, each linking
to its field. It takes the focus when the page loads (static/portal/pages.js), so nobody is left on the body."""

from django import template
from django.forms import BaseForm, BaseFormSet

register = template.Library()


def _form_errors(form: BaseForm) -> list[dict[str, str]]:
    errors = [{"label": "", "message": str(error), "id": ""} for error in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name == "__all__":
            continue
        bound = form[name]
        for error in field_errors:
            errors.append({"label": str(bound.label), "message": str(error), "id": bound.id_for_label})
    return errors


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms) -> dict:
    errors: list[dict[str, str]] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            errors += [{"label": "", "message": str(e), "id": ""} for e in form.non_form_errors()]
            for member in form.forms:
                errors += _form_errors(member)
        elif isinstance(form, BaseForm) and form.is_bound:
            errors += _form_errors(form)
    return {"errors": errors}
