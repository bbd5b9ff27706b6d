"""No default ordering adds a join to queries that ask for none."""

from __future__ import annotations

import pytest

from searches.models import Entity, Generation


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Entity, Generation])
def test_an_unordered_query_of_a_search_joins_nothing(model):
    sql = str(model.objects.filter(search_id=1).query).upper()
    assert "JOIN" not in sql and "ORDER BY" not in sql
