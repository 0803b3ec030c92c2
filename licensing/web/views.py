from django.shortcuts import redirect


def home(request):
    """The landing page: exporters go to their pages, staff to the admin."""
    return redirect("admin:index")
