"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember
from voxkeep.audit.events import AuditCheckpoint, AuditEvent
from voxkeep.crypto.models import InstanceKey
from voxkeep.db.base import Base
from voxkeep.recordings.models import Recording
from voxkeep.retention.models import DiscardedUploads, ErasureReceipt
from voxkeep.tokens.models import IngestToken

metadata = Base.metadata

__all__ = [
    "Account",
    "AuditCheckpoint",
    "AuditEvent",
    "DataKey",
    "Device",
    "DiscardedUploads",
    "ErasureReceipt",
    "HouseholdMember",
    "IngestToken",
    "InstanceKey",
    "Recording",
    "metadata",
]
