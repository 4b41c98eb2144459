"""yanglao.urls plus one view that fails, to see the 500 answers (test_server.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from yanglao.core.decorators import scope
from yanglao.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@scope(public=True)
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("boom", boom),
    path("api/boom", boom),
    *urlpatterns,
]
