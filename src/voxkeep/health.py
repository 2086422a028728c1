"""Is this node fit to serve, and is anything held up? (/healthz, docs/operations.md)

Four parts, each reported on its own:

- ``database``: it answers a query;
- ``blobs``: the blob store can be written, and a local one's disk has at least
  ``health_min_free_bytes`` free (an S3 bucket: it answers one HeadBucket within
  ``health_s3_timeout_s``, with no retries); when it fails, ``blobs_error`` says
  how, by the error's class or the server's code;
- ``mail``: the SMTP server accepts a connection (one short check, reused for
  ``health_mail_cache_s``), or ``outbox`` when mail goes to a folder;
- ``queue``: the oldest due job has waited less than ``health_queue_age_s``.

A node whose database or blob store fails answers 503: it cannot do its work,
and a load balancer should send traffic elsewhere. A mail server that is down
or a queue that is behind makes it ``degraded`` with a 200: every node shares
the same mail server and queue, so pulling nodes would only stop the uploads
and pages that still work; mails and jobs wait and retry by themselves. Nothing
in the answer names a URL, a host name or a credential.
"""

from __future__ import annotations

import errno
import logging
import shutil
import smtplib
import threading
import time
import weakref
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from voxkeep.db.base import utcnow
from voxkeep.errors import StorageFailed
from voxkeep.jobs.models import Job, JobState
from voxkeep.storage.blobs import LocalBlobStore
from voxkeep.storage.s3 import BucketProbe, S3BlobStore
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.health")
PARTS = ("database", "blobs")
MAIL_TIMEOUT_S = 2.0
OK, FAILED = "ok", "failed"


@dataclass(frozen=True)
class Health:
    parts: dict[str, object]
    failed: list[str]  # parts whose failure makes the node unfit: 503
    degraded: list[str]  # parts that fail without making it unfit: 200, "degraded"

    @property
    def body(self) -> dict[str, object]:
        status = "failed" if self.failed else "degraded" if self.degraded else "ok"
        return {"ok": not self.failed, "status": status, **self.parts}

    @property
    def message(self) -> str:
        return f"Not healthy: {' and '.join(self.failed)} failed."


def check_health(vault: Vault) -> Health:
    """Check every part; ``failed`` names those that make the node unfit to serve."""
    parts: dict[str, object] = {}
    parts["database"] = _database(vault)
    parts["blobs"], blobs_error = _blobs(vault)
    if blobs_error is not None:
        parts["blobs_error"] = blobs_error
    parts["mail"] = _mail(vault)
    if parts["database"] == OK:
        parts["queue"], parts["queue_oldest_s"] = _queue(vault)
    else:
        parts["queue"], parts["queue_oldest_s"] = "unknown", None
    failed = [p for p in PARTS if parts[p] != OK]
    degraded = [p for p in ("mail", "queue") if parts[p] not in (OK, "outbox")]
    return Health(parts, failed, degraded)


def _database(vault: Vault) -> str:
    try:
        with vault.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health: the database failed (%s); check it is up", type(exc).__name__)
        return FAILED
    return OK


def _blobs(vault: Vault) -> tuple[str, str | None]:
    """The blob store's state, and how it failed (an error class or code, never a message)."""
    store = vault.blobs
    if isinstance(store, S3BlobStore):
        return _bucket(vault, store)
    try:
        store.check()
    except StorageFailed as exc:
        log.warning("health: the blob store failed (%s)", exc.message)
        return FAILED, _errno_name(exc) or type(exc).__name__
    minimum = vault.settings.health_min_free_bytes
    if isinstance(store, LocalBlobStore) and minimum > 0:
        where = store.root if store.root.exists() else store.root.parent
        free = shutil.disk_usage(where).free
        if free < minimum:
            log.warning(
                "health: the blob store's disk has %d bytes free, under the %d bytes of "
                "VOXKEEP_HEALTH_MIN_FREE_BYTES; free space or grow the disk",
                free,
                minimum,
            )
            return "full", None
    return OK, None


def _errno_name(exc: BaseException) -> str | None:
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, OSError) and cause.errno is not None:
        return errno.errorcode.get(cause.errno)
    return None


# One probe per store: a botocore client takes tens of milliseconds to build.
_probes: weakref.WeakKeyDictionary[S3BlobStore, BucketProbe] = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()


def bucket_probe(vault: Vault, store: S3BlobStore) -> BucketProbe:
    """The store's health probe: its bucket and endpoint, the settings' credentials and
    ``health_s3_timeout_s``."""
    with _probes_lock:
        probe = _probes.get(store)
        if probe is None:
            probe = BucketProbe(vault.settings, bucket=store.bucket, endpoint=store.endpoint)
            _probes[store] = probe
        return probe


def _bucket(vault: Vault, store: S3BlobStore) -> tuple[str, str | None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        bucket_probe(vault, store).check()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "")) or type(exc).__name__
        log.warning("health: the bucket answered %s; check the bucket and credentials", code)
        return FAILED, code
    except BotoCoreError as exc:
        what = type(exc).__name__
        log.warning(
            "health: the object store did not answer within %.1f s (%s); check that it is up",
            vault.settings.health_s3_timeout_s,
            what,
        )
        return FAILED, what
    return OK, None


_mail_checks: dict[tuple[str, int], tuple[float, str]] = {}
_mail_lock = threading.Lock()


def _mail(vault: Vault) -> str:
    settings = vault.settings
    if settings.mail_outbox_dir is not None:
        return "outbox"
    server = (settings.smtp_host, settings.smtp_port)
    now = time.monotonic()
    with _mail_lock:
        cached = _mail_checks.get(server)
    if cached is not None and now - cached[0] < settings.health_mail_cache_s:
        return cached[1]
    result = _smtp_answers(*server, timeout_s=min(MAIL_TIMEOUT_S, settings.smtp_timeout_s))
    with _mail_lock:
        _mail_checks[server] = (now, result)
    return result


def _smtp_answers(host: str, port: int, *, timeout_s: float) -> str:
    """Connect, read the greeting, say QUIT: no mail, no login."""
    try:
        with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
            code, _ = smtp.noop()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning(
            "health: the SMTP server %s:%d did not answer (%s); check it is up",
            host,
            port,
            type(exc).__name__,
        )
        return FAILED
    return OK if code == 250 else FAILED


def _queue(vault: Vault) -> tuple[str, int | None]:
    now = utcnow()
    try:
        with vault.reading() as session:
            oldest = session.scalar(
                select(func.min(Job.run_after)).where(
                    Job.state == JobState.QUEUED.value, Job.run_after <= now
                )
            )
    except SQLAlchemyError as exc:
        log.warning("health: the job queue could not be read (%s)", type(exc).__name__)
        return "unknown", None
    if oldest is None:
        return OK, 0
    waited = max(0, int((now - oldest).total_seconds()))
    if waited > vault.settings.health_queue_age_s:
        log.warning(
            "health: the oldest due job has waited %d s; check that workers run "
            "(`voxkeep worker`, or job_workers of `voxkeep serve`)",
            waited,
        )
        return "behind", waited
    return OK, waited
