"""One error hierarchy for the whole product.

Every error carries an HTTP status, a stable machine code and a message that
says what was wrong and what to do. Messages never carry personal data: no
e-mail addresses, names, transcripts or audio. The API turns these into
``{"ok": false, "error": ..., "code": ..., "status": ...}``; the CLI prints the
message and exits non-zero.
"""

from __future__ import annotations


class VoxkeepError(Exception):
    """Base error: a human explanation plus an HTTP status and a code."""

    status: int = 500
    code: str = "internal_error"
    retry_after_s: int | None = None  # when set, the answer carries Retry-After

    def __init__(self, message: str, *, hint: str | None = None, cause: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # For the operator's log, not the client: the operation, the errno or driver
        # error and what to check. Never personal data.
        self.cause = cause

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} {self.hint}"
        return self.message

    @property
    def headers(self) -> dict[str, str]:
        """Extra HTTP response headers this error calls for (e.g. ``Retry-After``)."""
        return {} if self.retry_after_s is None else {"Retry-After": str(self.retry_after_s)}

    @property
    def log_line(self) -> str:
        """What the server's log says of this error: its cause when known, else its message."""
        return f"{self.code}: {self.cause or self.message}"


class ConfigError(VoxkeepError):
    status = 500
    code = "config_error"


class InvalidInput(VoxkeepError):
    status = 422
    code = "invalid_input"


class InvalidAudio(InvalidInput):
    code = "invalid_audio"


class PayloadTooLarge(InvalidInput):
    status = 413
    code = "payload_too_large"


class NotFound(VoxkeepError):
    status = 404
    code = "not_found"


class Conflict(VoxkeepError):
    status = 409
    code = "conflict"


class Unauthorized(VoxkeepError):
    status = 401
    code = "unauthorized"


class Forbidden(VoxkeepError):
    status = 403
    code = "forbidden"


class ReauthRequired(Forbidden):
    """The action needs a password re-entry more recent than the session has."""

    code = "reauth_required"


class TooManyRequests(VoxkeepError):
    """Too many failed attempts in a window; the client may retry after retry_after_s."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_s: int = max(1, retry_after_s)

    @property
    def retry_after_minutes(self) -> int:
        """The wait in whole minutes, rounded up, at least one: what a page tells a person."""
        return max(1, -(-self.retry_after_s // 60))


class MailFailed(VoxkeepError):
    """The configured mail server (or outbox) did not take a message."""

    status = 503
    code = "mail_failed"


class StorageFailed(VoxkeepError):
    """The blob store (or the database's disk) could not be written or read: a full,
    read-only or failing disk, or a bucket that refuses. Its cause names which, for the log."""

    status = 507
    code = "storage_failed"


class DatabaseUnavailable(VoxkeepError):
    """The database did not answer, or its connection broke (a restart): try again shortly."""

    status = 503
    code = "database_unavailable"
    retry_after_s = 5


class CommitUnknown(DatabaseUnavailable):
    """The connection broke while a transaction committed: it may or may not have been applied.

    What it wrote must be kept as if committed (a blob it names stays; gc removes it if
    no row does), and the client repeats the call, which every write of voxkeep allows.
    """


class IntegrityFailure(VoxkeepError):
    """Ciphertext did not authenticate: wrong owner, wrong object, or tampering."""

    status = 500
    code = "integrity_error"


class KeyDestroyed(IntegrityFailure):
    """The data key was crypto-shredded; what it protected is unreadable."""

    status = 410
    code = "key_destroyed"


def is_integrity_failure(exc: BaseException) -> bool:
    """Ciphertext or a hash did not check out: a possible breach (fail closed, open an
    incident). An erased account's destroyed key is not one: nothing went anywhere."""
    return isinstance(exc, IntegrityFailure) and not isinstance(exc, KeyDestroyed)


class AccountErased(KeyDestroyed):
    """The account was erased (Art. 17); its id answers this until the purge is done."""

    code = "account_erased"

    def __init__(self) -> None:
        super().__init__(
            "This account was erased: nothing of it can be read or stored any more.",
            hint="Its remaining ciphertext is being purged; then the vault keeps nothing "
            "of it and its id answers 404, like an id never registered.",
        )


class Unhealthy(VoxkeepError):
    """A part this node needs (the database, the blob store) does not answer."""

    status = 503
    code = "unhealthy"
