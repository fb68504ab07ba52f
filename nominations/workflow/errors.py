"""Errors a workflow function raises when a rule refuses the change."""

from __future__ import annotations


class WorkflowError(Exception):
    """A rule refused the change; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(WorkflowError):
    """The actor may not do this (views answer 403)."""


class NotFound(WorkflowError):
    """The object does not exist or the actor may not know it exists (views answer 404)."""
