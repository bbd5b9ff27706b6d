"""The pages: thin. Each validates, calls a service or a selector, and renders."""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from searches import exports, services
from searches.genetics import SpecError, strategy_help
from searches.models import Search
from searches.reads import comparison, selectors
from searches.reads.best import best_configuration, best_entity
from searches.reads.objectives import gives_keras_models, objectives_known, trains_final
from searches.spec.catalog import KERAS_TRAITS, TUTORIAL_GENOME
from searches.spec.presets import PRESETS, SCRATCH
from searches.web.forms import SpecForm
from searches.web.params import whole_number
from searches.web.permissions import can_change


def search_list(request):
    return render(request, "searches/list.html", {"rows": selectors.search_rows()})


def search_new(request):
    if request.method == "POST":
        form = SpecForm(request.POST, request.FILES)
        if form.is_valid() and form.parsed is not None:
            search = services.search_create_and_start(spec=form.parsed, owner=request.user)
            return redirect("searches:detail", pk=search.pk)
        status = 400
    else:
        form = SpecForm(initial={"spec": json.dumps(_initial_spec(request), indent=2)})
        status = 200
    context = {
        "form": form,
        "spec_errors": getattr(form, "spec_errors", {}),
        "presets": PRESETS,
        "keras_traits": list(KERAS_TRAITS),
        "tutorial_genome": TUTORIAL_GENOME,
        "strategies": list(strategy_help().items()),
        "objectives": list(objectives_known().values()),
    }
    return render(request, "searches/new.html", context, status=status)


def _initial_spec(request) -> dict:
    """What the form starts from: a copy of a search, a preset, or the scratch spec.

    A copy never keeps its source's name: the search it becomes is a different one.
    """
    if "from" in request.GET:
        pk = whole_number(request.GET["from"])
        source = None if pk is None else Search.objects.filter(pk=pk).first()
        if source is not None:
            return {**source.spec, "name": f"{source.name} (copy)"}
    if request.GET.get("start") == "scratch":
        return SCRATCH
    chosen = PRESETS.get(request.GET.get("preset", ""), PRESETS["synthetic"])
    return {**chosen, "name": f"{chosen['name']} (copy)"}


def search_detail(request, pk: int):
    search = get_object_or_404(Search.objects.select_related("owner"), pk=pk)
    context = {
        "search": search,
        "can_change": can_change(request.user, search),
        "has_best": best_entity(search) is not None,
        "trains_final": trains_final(search.objective),
        "keras_models": gives_keras_models(search.objective),
    }
    return render(request, "searches/detail.html", context)


MAX_COMPARED = 8


def search_compare(request):
    """Two or more searches side by side: ``?ids=3&ids=5`` (or ``?ids=3,5``); ``&lines=5`` picks
    the search whose traits the parallel coordinates draw (the first by default)."""
    raw = [part for value in request.GET.getlist("ids") for part in value.split(",") if part.strip()]
    problem = None
    if not all(whole_number(part.strip()) is not None for part in raw):
        problem = "The searches to compare are given by their numbers (?ids=3&ids=5)."
    elif not 2 <= len(set(raw)) <= MAX_COMPARED:
        problem = f"Choose between 2 and {MAX_COMPARED} searches to compare (in the list, tick them)."
    else:
        ids = list(dict.fromkeys(int(part) for part in raw))
        found = Search.objects.in_bulk(ids)
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            problem = f"No search #{', #'.join(missing)}."
    if problem:
        messages.error(request, problem)
        return redirect("searches:list")
    searches = [found[pk] for pk in ids]
    chosen = found.get(whole_number(request.GET.get("lines")), searches[0])
    context = {
        "searches": searches,
        "chosen": chosen,
        "data": {**comparison.comparison(searches), "lines": comparison.parallel_coordinates(chosen)},
    }
    return render(request, "searches/compare.html", context)


def owner_or_staff(action: str):
    """The view runs for the search's owner or staff only; anyone else gets a 403 that says so."""

    def decorate(view):
        @wraps(view)
        def checked(request, pk: int, *args, **kwargs):
            if not can_change(request.user, get_object_or_404(Search, pk=pk)):
                return HttpResponseForbidden(f"Only the owner of this search, or staff, may {action}.")
            return view(request, pk, *args, **kwargs)

        return checked

    return decorate


@require_POST
@owner_or_staff("cancel it")
def search_cancel(request, pk: int):
    if services.search_cancel(search_id=pk):
        messages.success(request, f"Search #{pk} cancelled.")
    else:
        messages.info(request, f"Search #{pk} had already ended.")
    return redirect("searches:detail", pk=pk)


@require_POST
@owner_or_staff("finish it")
def search_finish(request, pk: int):
    """End a running search now as completed, with what it found: its best can then be trained at last."""
    if services.search_finish(search_id=pk, note=f"finished early by {request.user.get_username()}"):
        messages.success(request, f"Search #{pk} finished: what it found is kept, and its best can be trained at last.")
    else:
        messages.info(request, f"Search #{pk} had already ended.")
    return redirect("searches:detail", pk=pk)


@require_POST
@owner_or_staff("extend it")
def search_extend(request, pk: int):
    generations = whole_number(request.POST.get("generations", ""))
    try:
        services.search_extend(search_id=pk, generations=generations if generations is not None else 0)
    except services.InvalidTransition as why:
        messages.error(request, f"Cannot run more generations: {why}.")
    else:
        messages.success(request, f"Search #{pk} runs {generations} more generation{'s' if generations != 1 else ''}.")
    return redirect("searches:detail", pk=pk)


@require_POST
@owner_or_staff("resume it")
def search_resume(request, pk: int):
    try:
        services.search_resume(search_id=pk)
    except services.InvalidTransition as why:
        messages.error(request, f"Cannot resume: {why}.")
    else:
        messages.success(request, f"Search #{pk} resumed where it stopped.")
    return redirect("searches:detail", pk=pk)


@require_POST
def search_rerun(request, pk: int):
    search = get_object_or_404(Search, pk=pk)
    try:
        rerun = services.search_rerun(search_id=search.pk, owner=request.user)
    except SpecError as error:
        messages.error(request, f"Cannot re-run: {error}")
        return redirect("searches:detail", pk=pk)
    messages.success(request, f"Search #{rerun.pk} started from the spec of #{pk}.")
    return redirect("searches:detail", pk=rerun.pk)


@require_POST
@owner_or_staff("train its best at last")
def search_train_final(request, pk: int):
    try:
        queued = services.search_train_final(search_id=pk)
    except services.InvalidTransition as why:
        messages.error(request, f"Cannot train the best at last: {why}.")
    else:
        messages.success(request, f"{len(queued)} networks queued for their final training on every training image.")
    return redirect("searches:detail", pk=pk)


# --- Downloads: what leaves the system is assembled in exports -------------------------


def best_json(request, pk: int):
    search, best = _search_and_best(pk)
    document = exports.best_document(search, best)
    return _attachment(json.dumps(document, indent=2), f"gaweb-search-{pk}-best.json", "application/json")


def best_py(request, pk: int):
    search, best = _search_and_best(pk)
    try:
        script = exports.best_script(search, best)
    except exports.ExportUnavailable as why:
        raise Http404(str(why)) from None
    return _attachment(script, f"gaweb_search_{pk}_best.py", "text/x-python")


def best_model(request, pk: int):
    """The final training's model: ``best.keras``, or the file a user's function or command saved."""
    search = get_object_or_404(Search, pk=pk)
    try:
        model = exports.best_model(search)
    except exports.ExportUnavailable as why:
        raise Http404(str(why)) from None
    response = StreamingHttpResponse(exports.model_chunks(model), content_type="application/octet-stream")
    response["Content-Length"] = str(model.size)
    response["Content-Disposition"] = f'attachment; filename="gaweb-search-{pk}-best{model.suffix}"'
    return response


# The exports of a whole search are streamed: read, encoded and sent a few thousand entities at a time.


def export_json(request, pk: int):
    search = get_object_or_404(Search.objects.select_related("owner"), pk=pk)
    response = StreamingHttpResponse(exports.search_export_chunks(search), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="gaweb-search-{pk}.json"'
    return response


def entities_csv(request, pk: int):
    search = get_object_or_404(Search.objects.select_related("owner"), pk=pk)
    response = StreamingHttpResponse(exports.entities_csv_lines(search), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="gaweb-search-{pk}-entities.csv"'
    return response


def _search_and_best(pk: int):
    search = get_object_or_404(Search, pk=pk)
    best = best_configuration(search)
    if best is None:
        raise Http404("no entity of this search has been trained yet")
    return search, best


def _attachment(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
