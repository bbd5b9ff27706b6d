from __future__ import annotations

import pytest

from .cluster import Cluster, unavailable

HOSTS = 3
# Short timeouts, so that a host cut off is found out in seconds (the defaults are minutes).
FAST = {
    "GAWEB_HEARTBEAT_SECONDS": "1", "GAWEB_STALE_AFTER_SECONDS": "8", "GAWEB_RECONCILE_SECONDS": "2",
    "GAWEB_RESEND_AFTER_SECONDS": "5",  # a job lost with Redis is sent again after this long
}  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Main (PostgreSQL, Redis, the web server) and three worker hosts, each in its own namespace."""
    why = unavailable()
    if why:
        pytest.skip(why)
    made = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        made.start_main()
        migrated = made.manage("migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        made.start_web()
        for number in range(1, HOSTS + 1):
            made.start_workers(made.add_host(number), env=FAST)
        yield made
    finally:
        made.close()


# Every cluster takes the same subnet (10.213.0.0/16): ``Cluster.start_main`` holds a file lock
# until ``close``, so that clusters made in two pytest-xdist processes (``make test``) or by a
# benchmark take turns. (pytest-xdist's ``--dist loadgroup`` did not group them with pytest 9.)
