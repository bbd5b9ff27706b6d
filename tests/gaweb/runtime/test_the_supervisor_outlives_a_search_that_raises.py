"""The supervising loop never ends because of a search: a step that raises is logged, the loop goes on."""

from __future__ import annotations

import logging

from gaweb.runtime import watch


class Supervisor:
    polls = 0

    def poll(self):
        self.polls += 1


def test_a_check_that_raises_is_logged_and_the_next_tick_runs(settings, caplog):
    settings.GAWEB_RECONCILE_SECONDS = 3600
    ran = []

    def demo_progress():
        ran.append(1)
        raise ValueError("no parents to pair")

    loop = watch.Watch(Supervisor(), checks=[demo_progress])
    loop._reconcile = lambda: None  # the reconciler's own guard is tested with the database
    with caplog.at_level(logging.ERROR, logger="gaweb.supervisor"):
        loop.tick()
        loop.tick()
    assert len(ran) == 2 and loop.supervisor.polls == 2
    assert "demo_progress raised" in caplog.text and "no parents to pair" in caplog.text
