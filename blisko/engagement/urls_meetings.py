# Scaffolding, replaced by the real routes of this part.
from django.http import HttpResponse
from django.urls import path

app_name = "meetings"


def _todo(request):
    return HttpResponse("not built yet", status=501)


urlpatterns = [path("", _todo, name="meetings")]
