"""A board kept from before a search was given more generations (in this process, or in the
database) is built again with the new generations' columns, not left drawing the old ones."""

from __future__ import annotations

import pytest

from searches import services
from searches.live import snapshot
from searches.live import state as live_state
from searches.models import Search
from workers.inline import run_inline


@pytest.mark.django_db
def test_a_board_kept_before_two_more_generations_draws_all_five(small_spec):
    search = run_inline(services.search_create(spec=small_spec, execution=Search.Execution.INLINE).pk)
    kept = snapshot.decode(snapshot.encode(live_state.board_catch_up(search)))
    assert len(kept.lines()) == 3

    services.search_extend(search_id=search.pk, generations=2)
    search = run_inline(search.pk)
    board = live_state.board_catch_up(search, kept)

    assert [line["generation"] for line in board.lines() if line["count"]] == [0, 1, 2, 3, 4]
    fresh = live_state.board_catch_up(search)
    assert board.lines() == fresh.lines()
    assert board.histograms() == fresh.histograms()
