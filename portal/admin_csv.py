"""An admin action for any list: the selected records as CSV, with the columns the list shows (issue 15).

The rows are the changelist's own queryset (already scoped to the viewer), so a CSV never holds a record the
list would not show; each value is the text the list shows, in words, with a leading `=`, `+`, `-` or `@`
escaped so that a spreadsheet never runs it as a formula."""

import csv

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.http import HttpResponse
from django.utils.html import strip_tags
from django.utils.text import capfirst

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = strip_tags(str(value if value is not None else ""))
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@admin.action(description="Export the selected rows as CSV")
def export_csv(modeladmin, request, queryset):
    columns = [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{modeladmin.opts.model_name}s.csv"'
    writer = csv.writer(response)
    writer.writerow([_cell(capfirst(label_for_field(name, modeladmin.model, modeladmin))) for name in columns])
    for record in queryset:
        row = []
        for name in columns:
            field, attr, value = lookup_field(name, record, modeladmin)
            if field is not None and getattr(field, "choices", None):
                value = getattr(record, f"get_{field.name}_display")()
            row.append(_cell(value))
        writer.writerow(row)
    return response
