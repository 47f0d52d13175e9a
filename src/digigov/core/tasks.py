"""Django's tasks framework: built into Django 6, a backport on Django 5.2 (docs/adr/0001)."""

from __future__ import annotations

try:
    from django.tasks import task, task_backends
except ImportError:  # Django 5.2 on Python 3.11
    from django_tasks import task, task_backends  # type: ignore[no-redef,assignment,unused-ignore]

__all__ = ["task", "task_backends"]
