"""The project's URLs plus bare floor views for the benchmarks: the same rows over the same HTTP path
(test client, middleware, session, JSON or a template), without the app's selectors, schemas or pages."""

from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path
from django.utils import timezone

from config.urls import urlpatterns as project_urlpatterns

FIELDS = ("id", "title", "description", "start", "end", "capacity", "status", "venue__name", "partnership__name")
TABLE = engines["django"].from_string(
    "<html><body><ul>{% for e in rows %}<li><h3>{{ e.title }}</h3><p>{{ e.start }} · {{ e.venue__name }}</p>"
    "<p>{{ e.partnership__name }}</p></li>{% endfor %}</ul></body></html>"
)


def _rows():
    from events.models import Event

    return list(
        Event.objects.filter(end__gte=timezone.now(), status="published").order_by("start").values(*FIELDS)[:20]
    )


def floor_events_json(request):
    return JsonResponse({"items": _rows()})


def floor_events_page(request):
    return HttpResponse(TABLE.render({"rows": _rows()}))


urlpatterns = [
    path("floor/events.json", floor_events_json),
    path("floor/events/", floor_events_page),
    *project_urlpatterns,
]
