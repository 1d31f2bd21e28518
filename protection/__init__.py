"""Protection case management: the project package (settings, access policy, audit, API root)."""

from protection.celery import app as celery_app

__all__ = ("celery_app",)
