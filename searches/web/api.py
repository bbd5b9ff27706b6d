"""The JSON API: thin, like the pages. The caller is the session's user, or a token's (``gaweb.tokens``)."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import condition, require_GET, require_http_methods, require_POST

from searches import services
from searches.genetics import SpecError
from searches.live.cache import latest_leaderboard_page, latest_state
from searches.models import Entity, Search
from searches.reads import lineage, selectors
from searches.spec import previews
from searches.spec.search import MAX_SPEC_BYTES, decode_spec
from searches.web.openapi import openapi_document
from searches.web.params import whole_number
from searches.web.permissions import can_change


def api_login_required(view):
    """A 401 in JSON for an anonymous caller, where a page would redirect to the sign-in form."""

    @login_not_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse(
                {"error": "sign in first: send Authorization: Bearer <token> (make one at /accounts/tokens/)"},
                status=401,
            )
        return view(request, *args, **kwargs)

    return checked


def api_owner_or_staff(action: str):
    """The view runs for the search's owner or staff only; anyone else gets a 403 in JSON saying so."""

    def decorate(view):
        @wraps(view)
        def checked(request, pk: int, *args, **kwargs):
            if not can_change(request.user, get_object_or_404(Search, pk=pk)):
                return JsonResponse({"error": f"only the owner of this search, or staff, may {action}"}, status=403)
            return view(request, pk, *args, **kwargs)

        return checked

    return decorate


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
@require_POST
@api_owner_or_staff("extend it")
def search_extend(request, pk: int):
    """``{"generations": N}``: N more generations for a completed search (the owner or staff)."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict) or "generations" not in body:
        return JsonResponse({"error": 'send {"generations": N}, a whole number of generations'}, status=400)
    try:
        search = services.search_extend(search_id=pk, generations=body["generations"])
    except services.InvalidTransition as why:
        return JsonResponse({"error": str(why)}, status=409)
    return JsonResponse({"id": search.pk, "status": search.status, "generations": search.generations})


@api_login_required
@require_POST
@api_owner_or_staff("cancel it")
def search_cancel(request, pk: int):
    """Cancel a search that has not ended (the owner or staff): its queued candidates are not trained."""
    cancelled = services.search_cancel(search_id=pk)
    search = Search.objects.get(pk=pk)
    if not cancelled:
        return JsonResponse({"error": f"search #{pk} has already ended (it is {search.status})"}, status=409)
    return JsonResponse({"id": search.pk, "status": search.status})


@api_login_required
@require_POST
@api_owner_or_staff("finish it")
def search_finish(request, pk: int):
    """End a running search now as completed, with what it found (the owner or staff)."""
    finished = services.search_finish(search_id=pk, note=f"finished early by {request.user.get_username()}")
    search = Search.objects.get(pk=pk)
    if not finished:
        return JsonResponse({"error": f"search #{pk} is not running (it is {search.status})"}, status=409)
    return JsonResponse({"id": search.pk, "status": search.status, "note": search.note})


@api_login_required
@require_POST
@api_owner_or_staff("resume it")
def search_resume(request, pk: int):
    """Take up a cancelled search where it stopped (the owner or staff)."""
    try:
        search = services.search_resume(search_id=pk)
    except services.InvalidTransition as why:
        return JsonResponse({"error": str(why)}, status=409)
    return JsonResponse({"id": search.pk, "status": search.status, "generations": search.generations})


def _state_etag(request, pk: int) -> str | None:
    """The state's version as a (weak) ETag; the state itself is kept on the request for the view."""
    search = Search.objects.filter(pk=pk).first()
    if search is None:
        return None
    request.gaweb_state = latest_state(search, since=_since(request))
    # Weak: the same version is sent gzipped or plain, and the two bodies differ byte for byte.
    return f'W/"{request.gaweb_state.version}"'


def _since(request) -> tuple[str, int] | None:
    """``?since=<token>:<count>``: what the client's copy holds (the ``base`` of its last state)."""
    token, _, count = request.GET.get("since", "").partition(":")
    held = whole_number(count)
    return (token, held) if token and held is not None else None


@api_login_required
@require_GET
@condition(etag_func=_state_etag)
def search_state(request, pk: int):
    """The dashboard's state. Unchanged since the client's copy: ``If-None-Match`` gets ``304 Not
    Modified``, and ``?version=`` (what the dashboard sends) gets a small ``unchanged`` answer.
    Changed: with ``?since=`` only what changed since that copy (``"delta": true``), else all of it."""
    state = getattr(request, "gaweb_state", None)
    if state is None:
        return JsonResponse({"error": f"no search #{pk}"}, status=404)
    if request.GET.get("version") == state.version:
        return JsonResponse({"version": state.version, "unchanged": True})
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(state.gzipped, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(state.raw, content_type="application/json")
    response["Vary"] = "Accept-Encoding"
    return response


@api_login_required
@require_GET
def leaderboard(request, pk: int):
    """``?offset=N``: the leaderboard's ranks N + 1 to N + 25, and how many it ranks in all."""
    search = get_object_or_404(Search, pk=pk)
    offset = whole_number(request.GET.get("offset", "0"))
    if offset is None:
        return JsonResponse({"error": "offset must be a whole number, 0 or more"}, status=400)
    return JsonResponse(latest_leaderboard_page(search, offset=offset))


@api_login_required
@require_POST
def space_preview(request):
    """What the form's trait editor draws: ``{"traits": [...]}`` in, each trait's law and errors out."""
    if len(request.body) > MAX_SPEC_BYTES:
        return JsonResponse({"errors": {"": [f"larger than {MAX_SPEC_BYTES // 1024} KB"]}}, status=413)
    try:
        body = decode_spec(request.body)
    except SpecError as error:
        return JsonResponse({"errors": error.errors}, status=400)
    traits = body.get("traits") if isinstance(body, dict) else None
    return JsonResponse(previews.space_preview(traits))


@api_login_required
@require_GET
def entity(request, pk: int):
    found = get_object_or_404(Entity.objects.select_related("generation"), pk=pk)
    return JsonResponse(selectors.entity_detail(found))


@api_login_required
@require_GET
def family_tree(request, pk: int):
    """The entity's ancestors back to the founders, as nodes and edges (``searches.reads.lineage``)."""
    found = get_object_or_404(Entity, pk=pk)
    return JsonResponse(lineage.family_tree(found))


def _summary(row: dict) -> dict:
    search = row["search"]
    return {
        "id": search.pk,
        "name": search.name,
        "owner": search.owner.get_username() if search.owner_id else None,
        "status": search.status,
        "objective": search.objective,
        "metric": search.metric,
        "direction": search.direction,
        "dataset": search.dataset,
        "ended": row["ended"],
        "total": row["total"],
        "best_fitness": row["best"],
        "created_at": search.created_at.isoformat(),
        "url": reverse("searches:detail", args=[search.pk]),
    }


@login_not_required
@require_GET
def schema(request):
    """The API's OpenAPI 3.1 description (``searches.web.openapi``): open to all, like a page's help."""
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 1})


@login_not_required
@require_GET
def docs(request):
    """The description drawn by Swagger UI, served from the drf-spectacular-sidecar package (no CDN)."""
    return render(request, "searches/api_docs.html")
