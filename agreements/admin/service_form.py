"""Admin pages whose POST is form → service → redirect: the page shown again when the form or the service refuses."""

from django.contrib.admin import helpers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _


class ServiceFormMixin:
    """For a ModelAdmin that saves through a service in its own add or change view, never in save_model."""

    def form_page(self, request, form, obj, object_id, form_url, extra_context):
        """The add or change page again, with the errors of `form` (what the admin's own view would render)."""
        add = obj is None
        admin_form = helpers.AdminForm(
            form,
            list(self.get_fieldsets(request, obj)),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        formsets, inline_instances = self._create_formsets(request, obj, change=not add)
        inline_formsets = self.get_inline_formsets(request, formsets, inline_instances, obj)
        media = self.media + admin_form.media
        for inline_formset in inline_formsets:
            media += inline_formset.media
        context = {
            **self.admin_site.each_context(request),
            "title": (_("Add %s") if add else _("Change %s")) % self.opts.verbose_name,
            "subtitle": None if add else str(obj),
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return self.render_change_form(request, context, add=add, change=not add, obj=obj, form_url=form_url)

    def save_model(self, request, obj, form, change):
        raise ImproperlyConfigured(
            f"{self.opts.verbose_name_plural} are saved by their service, in the admin's own view."
        )
