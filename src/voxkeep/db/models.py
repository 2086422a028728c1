"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from voxkeep.accounts.models import Account, DataKey, Device, HouseholdMember
from voxkeep.audit.events import AuditCheckpoint, AuditEvent
from voxkeep.crypto.models import InstanceKey
from voxkeep.db.base import Base
from voxkeep.exports.models import Export, ExportDownload
from voxkeep.incidents.models import Incident, IncidentAffected, IncidentEvent
from voxkeep.incidents.notice_models import IncidentNotice, IncidentNoticeText
from voxkeep.jobs.models import Job, PeriodicRun
from voxkeep.people.models import (
    PersonCredential,
    PersonInvite,
    PersonResetCode,
    PersonSessionRow,
    SigninChallenge,
    SigninFailure,
    StaffInvite,
    StaffMember,
    StaffRoleGrant,
    StaffSessionRow,
)
from voxkeep.recordings.models import Recording
from voxkeep.requests.models import AddressChange, DataRequest, RequestEvent
from voxkeep.retention.models import (
    DeletionReceiptRow,
    DiscardedUploads,
    ErasureReceipt,
    RetentionState,
)
from voxkeep.tokens.models import IngestToken

metadata = Base.metadata

__all__ = [
    "Account",
    "AddressChange",
    "AuditCheckpoint",
    "AuditEvent",
    "DataKey",
    "DataRequest",
    "DeletionReceiptRow",
    "Device",
    "DiscardedUploads",
    "ErasureReceipt",
    "Export",
    "ExportDownload",
    "HouseholdMember",
    "Incident",
    "IncidentAffected",
    "IncidentEvent",
    "IncidentNotice",
    "IncidentNoticeText",
    "IngestToken",
    "InstanceKey",
    "Job",
    "PeriodicRun",
    "PersonCredential",
    "PersonInvite",
    "PersonResetCode",
    "PersonSessionRow",
    "Recording",
    "RequestEvent",
    "RetentionState",
    "SigninChallenge",
    "SigninFailure",
    "StaffInvite",
    "StaffMember",
    "StaffRoleGrant",
    "StaffSessionRow",
    "metadata",
]
