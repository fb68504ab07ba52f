"""The domain operations. Every state change of the system is one function in this package,
called alike by views, CLI commands and scheduler jobs. They check every rule, write the audit
record, and commit; views only parse input and render the outcome."""

from nominations.workflow.errors import NotFound, PermissionDenied, WorkflowError

__all__ = ["NotFound", "PermissionDenied", "WorkflowError"]
