"""Framework-free domain errors that services raise; the API exception handler and page views map them.

- ``django.core.exceptions.ValidationError`` → 400 with field messages (or a form error on a page)
- ``django.core.exceptions.PermissionDenied`` → 403
- ``ConflictError`` → 409 (a stale ``version``)
- ``LockedError`` → 423 (an approved, locked object)
"""


class ConflictError(Exception):
    """The object changed since the client read it (stale version)."""

    status_code = 409

    def __init__(self, message, *, current_version=None):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class LockedError(Exception):
    """The object is locked (e.g. an approved assessment) until it is reopened."""

    status_code = 423

    def __init__(self, message):
        super().__init__(message)
        self.message = message
