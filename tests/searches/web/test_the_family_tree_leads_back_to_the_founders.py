from __future__ import annotations

import pytest

from searches.models import Entity
from searches.reads.lineage import ancestors, family_tree


def test_an_ancestor_reached_by_two_paths_is_one_node_with_two_edges():
    #   5 <- (3, 4); 3 <- (1, 2); 4 <- (2, 2): 2 is reached through 3 and through 4
    parents = {5: (3, 4), 3: (1, 2), 4: (2, 2), 1: (None, None), 2: (None, None)}
    order, edges, truncated = ancestors(parents, 5)
    assert order == [5, 3, 4, 1, 2] and not truncated
    assert sorted(edges) == [(3, 1, "a"), (3, 2, "b"), (4, 2, "a"), (5, 3, "a"), (5, 4, "b")]


def test_a_deep_tree_stops_at_its_limit_and_says_so():
    parents = {n: (n - 1, None) for n in range(1, 50)} | {0: (None, None)}
    order, edges, truncated = ancestors(parents, 49, limit=10)
    assert len(order) == 10 and truncated and len(edges) == 9


@pytest.mark.django_db
def test_the_best_of_a_search_has_its_tree_back_to_generation_zero(finished_search):
    best = Entity.objects.filter(search=finished_search, status="done").order_by("-fitness", "id").first()
    tree = family_tree(best)
    nodes = {node["id"]: node for node in tree["nodes"]}
    assert tree["root"] == best.pk and tree["nodes"][0]["id"] == best.pk
    for edge in tree["edges"]:
        child, parent = nodes[edge["child"]], nodes[edge["parent"]]
        assert parent["generation"] < child["generation"] or parent["origin"] == "immigrant"
        entity = Entity.objects.get(pk=edge["child"])
        if entity.parent_a_id != entity.parent_b_id:  # each edge carries exactly what came from its parent
            came = sorted(name for name, source in entity.inheritance.items() if source == edge["side"])
            assert edge["traits"] == came
    founders = [node for node in tree["nodes"] if node["founder"]]
    assert founders and all(node["origin"] in ("random", "immigrant") for node in founders)
    if best.generation.number > 0:
        assert any(node["generation"] == 0 for node in tree["nodes"])


@pytest.mark.django_db
def test_the_api_gives_the_tree(owner_client, finished_search):
    best = Entity.objects.filter(search=finished_search, status="done").order_by("-fitness").first()
    tree = owner_client.get(f"/api/entities/{best.pk}/family/").json()
    assert tree["root"] == best.pk and {"nodes", "edges", "truncated"} <= set(tree)
