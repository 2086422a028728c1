"""Helpers for the export tests: answer a request the way the job does, read the archive."""

from __future__ import annotations

import io
import zipfile

from voxkeep.crypto import aead
from voxkeep.exports.models import Export
from voxkeep.requests.tasks import build_answer
from voxkeep.vault import Vault


def run_export_job(vault: Vault, request_id: str) -> str | None:
    """Run the real export.build job handler; the export id it produced (or None)."""
    from voxkeep.requests.models import DataRequest

    build_answer(vault, {"request_id": request_id})
    with vault.reading() as session:
        request = session.get(DataRequest, request_id)
        assert request is not None
        return request.export_id


def archive_bytes(vault: Vault, export_id: str) -> bytes:
    """The plaintext archive, decrypted with its key (which must still exist)."""
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None and export.key_sealed is not None and export.blob
        data_key = vault.keyring.data_key(session, export.account_id)
        key = aead.open_sealed(
            data_key,
            export.key_sealed,
            ad=aead.associated_data(
                kind="export_key", owner=export.account_id, object_id=export.id
            ),
            kind="export key",
        )
        blob, account_id = export.blob, export.account_id
    ad = aead.associated_data(kind="export", owner=account_id, object_id=export_id)
    with vault.blobs.open(blob) as source:
        return b"".join(aead.decrypt_stream(key, source, ad=ad, kind="export"))


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))
