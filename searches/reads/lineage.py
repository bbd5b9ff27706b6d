"""The family tree of an entity: its ancestors back to the founders, built on the server.

Each ancestor appears once however many paths lead to it (a parent of several ancestors
is one node with several edges), and the tree stops at ``MAX_ANCESTORS``: a deep search's
tree would otherwise hold most of the search. Two queries, whatever the search's size:
the parent links of every entity of the search, then the details of the ones shown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from searches.models import Entity

MAX_ANCESTORS = 120


def ancestors(
    parents: Mapping[int, tuple[int | None, int | None]], root: int, *, limit: int = MAX_ANCESTORS
) -> tuple[list[int], list[tuple[int, int, str]], bool]:
    """The nodes (``root`` first, then nearest ancestors first), the edges ``(child, parent, side)``
    with side ``"a"`` or ``"b"``, and whether ancestors were left out to stay within ``limit``."""
    order, seen, edges = [root], {root}, []
    queue, truncated = deque([root]), False
    while queue:
        child = queue.popleft()
        a, b = parents.get(child, (None, None))
        for side, parent in (("a", a), ("b", b)):
            if parent is None:
                continue
            if parent not in seen:
                if len(order) >= limit:
                    truncated = True
                    continue
                seen.add(parent)
                order.append(parent)
                queue.append(parent)
            if side == "b" and parent == a:
                continue  # a lone parent paired with itself: one edge
            edges.append((child, parent, side))
    return order, edges, truncated


def family_tree(entity: Entity) -> dict[str, Any]:
    """The entity's ancestors as a graph: each with its fitness and origin (random founders,
    immigrants marked so), and on each edge the traits the child took from that parent and
    the traits that mutated."""
    links = Entity.objects.filter(search_id=entity.search_id).values_list("id", "parent_a_id", "parent_b_id")
    parents = {pk: (a, b) for pk, a, b in links}
    order, edges, truncated = ancestors(parents, entity.pk)
    details = {
        row["id"]: row
        for row in Entity.objects.filter(pk__in=order).values(
            "id", "generation__number", "index", "origin", "status", "fitness", "genome", "inheritance"
        )
    }
    nodes = []
    for pk in order:
        row = details[pk]
        nodes.append(
            {
                "id": pk,
                "generation": row["generation__number"],
                "origin": row["origin"],
                "status": row["status"],
                "fitness": row["fitness"],
                "genome": row["genome"],
                "mutated": sorted(name for name, source in row["inheritance"].items() if source == "mutated"),
                "founder": parents.get(pk, (None, None)) == (None, None),
            }
        )
    return {
        "root": entity.pk,
        "nodes": nodes,
        "edges": [
            {
                "child": child,
                "parent": parent,
                "side": side,
                # A lone parent paired with itself passed on every trait that did not mutate.
                "traits": sorted(
                    name
                    for name, source in details[child]["inheritance"].items()
                    if source == side or (source in ("a", "b") and parents[child][0] == parents[child][1])
                ),
            }
            for child, parent, side in edges
        ],
        "truncated": truncated,
        "limit": MAX_ANCESTORS,
    }
