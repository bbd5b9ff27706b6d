"""The JSON API: thin, like the pages. Sign-in is the session's (see the README)."""

from __future__ import annotations

import gzip
import json
import threading
import time
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import MAX_SPEC_BYTES, decode_spec
from .genetics import SpecError
from .models import Entity, Search


def api_login_required(view):
    """A 401 in JSON for an anonymous caller, where a page would redirect to the sign-in form."""

    @login_not_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "sign in first (POST /accounts/login/)"}, status=401)
        return view(request, *args, **kwargs)

    return checked


@api_login_required
@require_http_methods(["GET", "POST"])
def searches(request):
    if request.method == "GET":
        rows = selectors.search_rows()
        return JsonResponse({"searches": [_summary(row) for row in rows]})
    if len(request.body) > MAX_SPEC_BYTES:
        return JsonResponse({"errors": {"": [f"the spec is larger than {MAX_SPEC_BYTES // 1024} KB"]}}, status=413)
    try:
        search = services.search_create_and_start(spec=decode_spec(request.body), owner=request.user)
    except SpecError as error:
        return JsonResponse({"errors": error.errors}, status=400)
    url = reverse("searches:detail", args=[search.pk])
    return JsonResponse({"id": search.pk, "url": url}, status=201, headers={"Location": url})


@api_login_required
@require_GET
def search_state(request, pk: int):
    """The dashboard's state; ``?version=`` answers ``unchanged`` cheaply when nothing moved."""
    search = get_object_or_404(Search, pk=pk)
    version, raw, packed = _latest_state(search)
    if request.GET.get("version") == version:
        return JsonResponse({"version": version, "unchanged": True})
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(packed, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(raw, content_type="application/json")
    response["Vary"] = "Accept-Encoding"
    return response


# Every client watching a search polls it: its state is looked at once a second at most, and
# built (encoded and compressed) once per version, by one thread while the others wait (one lock
# per search, so a big search does not hold up the others). A
# change therefore reaches the pages within a second plus their own polling interval.
FRESH_FOR_SECONDS = 1.0
_locks_guard = threading.Lock()
_building: dict[int, threading.Lock] = {}


def _lock_for(search_id: int) -> threading.Lock:
    with _locks_guard:
        return _building.setdefault(search_id, threading.Lock())


def _latest_state(search: Search) -> tuple[str, bytes, bytes]:
    key = f"gaweb:state:{search.pk}:{search.created_at.timestamp()}"
    latest = cache.get(key)
    if latest is not None and time.time() - latest[0] < FRESH_FOR_SECONDS:
        return latest[1:]
    with _lock_for(search.pk):
        latest = cache.get(key)
        if latest is not None and time.time() - latest[0] < FRESH_FOR_SECONDS:
            return latest[1:]
        version = selectors.state_version(search)
        if latest is not None and latest[1] == version:
            latest = (time.time(), *latest[1:])
        else:
            raw = json.dumps(selectors.dashboard_state(search, version=version), cls=DjangoJSONEncoder).encode()
            latest = (time.time(), version, raw, gzip.compress(raw, compresslevel=5))
        cache.set(key, latest, 3600)
    return latest[1:]


@api_login_required
@require_GET
def entity(request, pk: int):
    found = get_object_or_404(Entity.objects.select_related("generation"), pk=pk)
    return JsonResponse(selectors.entity_detail(found))


def _summary(row: dict) -> dict:
    search = row["search"]
    return {
        "id": search.pk,
        "name": search.name,
        "owner": search.owner.get_username() if search.owner_id else None,
        "status": search.status,
        "objective": search.objective,
        "dataset": search.dataset,
        "ended": row["ended"],
        "total": row["total"],
        "best_fitness": row["best"],
        "created_at": search.created_at.isoformat(),
        "url": reverse("searches:detail", args=[search.pk]),
    }
