"""Prepares each worker process once: thread pools, GPU memory, and the deep-learning import."""

from __future__ import annotations

import gc
import logging
import os

from celery.signals import worker_process_init, worker_ready
from django.conf import settings

from searches.services import entities_requeue_orphans

log = logging.getLogger("gaweb.workers")


@worker_process_init.connect
def prepare_worker_process(**_kwargs) -> None:
    # Grab GPU memory as needed, not all at start, so that a model's real needs show.
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    if os.environ.get("GAWEB_PRELOAD_KERAS", "1") != "1":
        return
    import keras  # paid once here, not by the first candidate

    threads = int(os.environ.get("GAWEB_CPU_THREADS", "0") or 0)
    if threads and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, threads // 2))
    # What exists now (TensorFlow's modules) lives as long as the process: keep it out of
    # every later garbage collection.
    gc.freeze()
    log.info("worker process ready: Keras %s on %s", keras.__version__, keras.backend.backend())


@worker_ready.connect
def requeue_own_orphans(sender=None, **_kwargs) -> None:
    entities_requeue_orphans(worker=sender.hostname, max_attempts=settings.GAWEB_MAX_ATTEMPTS)
