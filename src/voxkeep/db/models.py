"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember
from voxkeep.audit.events import AuditEvent
from voxkeep.crypto.models import InstanceKey
from voxkeep.db.base import Base
from voxkeep.recordings.models import Recording
from voxkeep.tokens.models import IngestToken

metadata = Base.metadata

__all__ = [
    "Account",
    "AuditEvent",
    "DataKey",
    "Device",
    "HouseholdMember",
    "IngestToken",
    "InstanceKey",
    "Recording",
    "metadata",
]
