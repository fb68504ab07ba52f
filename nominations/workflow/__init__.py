"""The domain operations. Every state change of the system is one function in this package,
called alike by views, CLI commands and scheduler jobs. They ask the policy, check every rule,
write the audit record and flush; the caller's edge (request, CLI command, job) commits once
(nominations/unit_of_work.py). Views only parse input and render the outcome."""

from nominations.workflow.errors import NotFound, PermissionDenied, WorkflowError

__all__ = ["NotFound", "PermissionDenied", "WorkflowError"]
