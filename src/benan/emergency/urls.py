# TEMPORARY (replaced by the pages work)
from django.http import HttpResponse
from django.urls import path

app_name = "emergency"


def _todo(request, *a, **k):
    return HttpResponse("")


urlpatterns = [
    path("pool/", _todo, name="pool"),
    path("dispatches/<int:pk>/", _todo, name="dispatch"),
    path("drills/<int:pk>/", _todo, name="drill"),
]
