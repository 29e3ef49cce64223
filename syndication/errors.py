"""One exception tree. Errors of the libraries we call (sqlite3, lxml, json,
OS errors) are converted into these where they enter, carrying the record id,
the field, the file or the key they are about. The CLI maps each class to an
exit code (see ``EXIT_CODE``)."""

from __future__ import annotations


class SyndicationError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 1
    default = "syndication failed"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default)

    @property
    def message(self) -> str:
        return str(self.args[0])


class UsageError(SyndicationError):
    """A command was called wrongly (bad flag value, missing file)."""

    exit_code = 2


class ConfigError(UsageError):
    """A config file is missing, unreadable or has a bad key.

    The message always names the file and, where there is one, the key."""

    def __init__(self, file: str, key: str | None, reason: str):
        self.file, self.key, self.reason = file, key, reason
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {reason}")


class RecordError(SyndicationError):
    """One record is bad; it is skipped and the rest go on.

    ``ref`` is the record id, or ``line N`` when the record has no usable id."""

    exit_code = 65

    def __init__(self, ref: str, field: str | None, reason: str):
        self.ref, self.field, self.reason = ref, field, reason
        super().__init__(f"{ref}: {field}: {reason}" if field else f"{ref}: {reason}")

    def __reduce__(self):  # crosses process boundaries (parallel import)
        return (RecordError, (self.ref, self.field, self.reason))


class StoreError(SyndicationError):
    """The store cannot be opened, migrated, read or written."""

    exit_code = 1


class FeedCheckError(SyndicationError):
    """A built feed failed the check before publishing; it was not published."""

    exit_code = 1


class UnsafePathError(SyndicationError):
    """An output path would leave the out directory (``..``, absolute, symlink)."""

    exit_code = 2


class LockHeldError(SyndicationError):
    """Another build holds the lock on the out directory."""

    exit_code = 75


class SourceUnavailable(SyndicationError):
    """A source could not be reached (after retries); nothing was changed."""

    exit_code = 75


class ServiceUnavailable(SyndicationError):
    """A service the build publishes through could not be reached or refused
    a request (the object store, the PostgreSQL server holding the lock);
    what was published stays whole, and the next run converges."""

    exit_code = 75


#: The process exit codes, one place (sysexits.h where one fits).
EXIT_OK = 0
EXIT_FEED_FAILED = 1
EXIT_USAGE = 2
EXIT_DATAERR = 65
EXIT_TEMPFAIL = 75
