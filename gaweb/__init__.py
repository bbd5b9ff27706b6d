"""gaweb: genetic-algorithm hyperparameter search for image classifiers."""

from __future__ import annotations

__version__ = "0.1.0"  # before the Celery app: the settings read it

from .celery import app as celery_app

__all__ = ["__version__", "celery_app"]
