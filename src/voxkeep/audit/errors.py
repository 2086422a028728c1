"""The one error a tampered audit log raises, naming where the damage starts."""

from __future__ import annotations

from voxkeep.errors import IntegrityFailure


class LogTampered(IntegrityFailure):
    """The stored audit log no longer matches what was appended and signed.

    ``seq`` is the first bad event when it can be named exactly; ``checkpoint``
    is the tree size of the checkpoint that failed, when one did. When only a
    signed root shows the damage, no single event can be blamed (the root
    commits to all of them at once), so ``suspects`` gives the narrowest range
    of events the first changed one must lie in.
    """

    code = "audit_log_tampered"

    def __init__(
        self,
        message: str,
        *,
        seq: int | None = None,
        checkpoint: int | None = None,
        suspects: range | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(
            message,
            hint=hint
            or "Treat the database as compromised: compare it with a backup and with "
            "checkpoints kept outside the vault.",
        )
        self.seq = seq
        self.checkpoint = checkpoint
        self.suspects = suspects
