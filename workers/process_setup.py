"""Prepares each worker process once: thread pools, GPU memory, the deep-learning import, and the
entity its killed predecessor left behind."""

from __future__ import annotations

import gc
import logging
import os
import socket
from dataclasses import asdict

from celery.signals import worker_process_init
from django.conf import settings
from django.db import DatabaseError

from searches.models import UnableHost
from searches.services import entities_requeue_orphans, objectives_offer

from .objectives import get_objective, offers

log = logging.getLogger("gaweb.workers")


@worker_process_init.connect
def prepare_worker_process(**_kwargs) -> None:
    take_up_cut_off_work()
    # The synthetic objective's imports (NumPy among them) are paid here too, not by the first
    # candidate: 64 simulated workers starting their first candidates together on one machine
    # took up to 2 s longer to claim them.
    get_objective("synthetic")
    # Grab GPU memory as needed, not all at start, so that a model's real needs show.
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    if os.environ.get("GAWEB_PRELOAD_KERAS", "1") == "1":
        preload_keras()
    # Last: the user's objectives are imported to describe them, once Keras is set up as gaweb wants it.
    announce_objectives()


def preload_keras() -> None:
    from workers.training.quietly import keras  # paid once here, not by the first candidate

    threads = int(os.environ.get("GAWEB_CPU_THREADS", "0") or 0)
    if threads and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, threads // 2))
    # What exists now (TensorFlow's modules) lives as long as the process: keep it out of
    # every later garbage collection.
    gc.freeze()
    log.info("worker process ready: Keras %s on %s", keras.__version__, keras.backend.backend())


def worker_name() -> str | None:
    """This worker's node name (``cpu0@host``), as ``runworkers`` gives it; None when started otherwise."""
    return os.environ.get("GAWEB_WORKER_NAME") or None


def announce_objectives(host: str | None = None, *, replace: bool = True) -> None:
    """Tell the system which objectives this machine has, so that the form offers them and a
    spec may name them (``workers.objectives.registry``). ``replace=False``: a ``--inline``
    command's, added to what the machine's workers said, never replacing it."""
    host = host or UnableHost.host_of(worker_name() or socket.gethostname())
    try:
        objectives_offer(host=host, offers=[asdict(offer) for offer in offers()], replace=replace)
    except DatabaseError as error:  # the next worker process to start says it again
        log.warning("could not record the objectives of %s: %s", host, error)


def take_up_cut_off_work() -> int:
    """Queue again (or fail, after its attempts) whatever this worker was training when its last
    training process died.

    A worker trains one candidate at a time and its name is its own, so a new training
    process, or a new job for this worker, means that any entity still ``running`` under its
    name was cut off (killed, out of memory, a power cut). Taking it up now costs seconds;
    waiting for its heartbeat to go stale would cost ``GAWEB_STALE_AFTER_SECONDS``.
    """
    name = worker_name()
    if name is None:
        return 0
    try:
        return entities_requeue_orphans(worker=name, max_attempts=settings.GAWEB_MAX_ATTEMPTS)
    except DatabaseError as error:  # the reconciler finds it later, after the stale timeout
        log.warning("could not look for entities cut off on %s: %s", name, error)
        return 0
