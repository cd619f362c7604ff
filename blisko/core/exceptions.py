from typing import Any


class ApplicationError(Exception):
    """A refusal the user can act on: the message is translated and shown as it is."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        self.status = status


class NotFoundError(ApplicationError):
    """Nothing matches: mapped to 404."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None):
        super().__init__(message, extra, status=404)
