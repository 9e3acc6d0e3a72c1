"""The one exception tree of hotpapers; every boundary translates into it."""

from __future__ import annotations


class HotPapersError(Exception):
    """Base of every error hotpapers raises on purpose; its message is one sentence for a user."""


class ConfigError(HotPapersError):
    """Settings or command-line input that cannot be used."""


class InputError(HotPapersError):
    """A user-supplied value (date, category, file) that is malformed or out of range."""


class FeedError(HotPapersError):
    """The arXiv announcement feed could not be read: say so loudly, never an empty digest."""


class SourceError(HotPapersError):
    """One engagement source failed; the digest goes on without it and names it."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SnapshotError(InputError):
    """A snapshot or Hot Papers post that cannot be read or is not in the expected format."""


class StorageError(HotPapersError):
    """The local cache or store could not be read or written."""


class StoreUnavailable(StorageError):
    """The database server could not be reached: try again later, nothing is wrong with input."""


class DeliveryError(HotPapersError):
    """A platform refused a post."""


class RateLimited(DeliveryError):
    """The platform asked to wait ``retry_after`` seconds before posting again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DestinationGone(DeliveryError):
    """The channel or webhook no longer exists or forbids the bot (404/403): stop posting there."""


class MaybePosted(DeliveryError):
    """The request may have reached the platform (a timeout or a dropped connection after it was
    sent, a 5xx): the message may be there, so posting it again blindly could duplicate it."""
