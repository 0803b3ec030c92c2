"""Admin widgets that name every input they draw, for screen readers and axe's `label` rule."""

from django.contrib.admin import widgets


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """The admin's date and time pair, each input with a name of its own ("Effective from: date")."""

    def __init__(self, label: str, attrs=None):
        super().__init__(attrs)
        date, time = self.widgets
        date.attrs["aria-label"] = f"{label}: date (YYYY-MM-DD)"
        time.attrs["aria-label"] = f"{label}: time (HH:MM, UTC)"
