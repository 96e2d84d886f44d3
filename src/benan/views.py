"""Project-level pages that gather several apps: the home page with counts for the user's scope.

May import any app's `queries`; no app imports this module.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from benan.enterprises import queries as enterprise_queries


@login_required
def home(request):
    return render(request, "home.html", {"counts": enterprise_queries.counts(request.user)})
