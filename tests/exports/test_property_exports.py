"""Property: every released answer holds exactly its requester's recordings, ids and bytes.

Random populations (accounts with and without devices, household voices),
many requests answered concurrently, some filed in the portal and some
entered by staff (code mailed to the account's own address, four eyes).
"""

from __future__ import annotations

import itertools
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from export_helpers import archive_bytes, open_zip, run_export_job
from factory import Household, household, portal_request, record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtp_sink import SmtpSink
from voxkeep.accounts.models import Language
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.requests.service import approve, enter_request
from voxkeep.requests.verification import check_code, send_code
from voxkeep.vault import Vault

_run = itertools.count()


@dataclass(frozen=True)
class Staff:
    staff_id: str
    roles: tuple[str, ...]


AGENT = Staff("agent-1", ("agent",))
APPROVER = Staff("approver-1", ("approver",))

population = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # devices
        st.integers(min_value=0, max_value=4),  # recordings per device
        st.booleans(),  # files a request
        st.booleans(),  # staff-entered (else the portal)
    ),
    min_size=2,
    max_size=5,
)


def _staff_request(vault: Vault, mailbox: SmtpSink, house: Household) -> str:
    request_id = enter_request(
        vault, staff=AGENT, account=house.external_id, kind=RequestKind.ACCESS, channel=Channel.POST
    )
    send_code(vault, staff=AGENT, request_id=request_id)
    body = mailbox.wait_for(f"{house.external_id}@example.org", count=1)[-1].body
    found = re.search(r"\b(\d{4}) (\d{4})\b", body)
    assert found is not None, "no code in the mail"
    check_code(
        vault, staff=AGENT, request_id=request_id, code=found[1] + found[2], evidence="letter"
    )
    approve(vault, staff=APPROVER, request_id=request_id)
    return request_id


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(population)
def test_released_answers_hold_exactly_the_requesters_recordings(
    vault: Vault, mailbox: SmtpSink, people: list[tuple[int, int, bool, bool]]
) -> None:
    run = next(_run)
    houses: list[Household] = []
    for n, (devices, per_device, _, _) in enumerate(people):
        house = household(
            vault,
            f"p{run}-{n}",
            language=Language.FR if n % 2 else Language.DE,
            devices=tuple((f"d{d}", f"Gerät {d}") for d in range(devices)),
            members=(("voice", "Lou"),) if n % 3 == 0 else (),
        )
        for d, device in enumerate(house.devices):
            for r in range(per_device):
                record(
                    vault,
                    house,
                    f"p{run}-{n}-{d}-{r}",
                    device=device,
                    seed=run * 1000 + n * 100 + d * 10 + r,
                    speaker=house.members[0] if house.members and r % 2 else None,
                )
        houses.append(house)
    requests: dict[str, Household] = {}
    for house, (_, _, asks, by_staff) in zip(houses, people, strict=True):
        if asks:
            rid = (
                _staff_request(vault, mailbox, house) if by_staff else portal_request(vault, house)
            )
            requests[rid] = house
    with ThreadPoolExecutor(max_workers=4) as pool:  # answered concurrently
        answers = pool.map(lambda rid: run_export_job(vault, rid), requests)
        exports = dict(zip(requests, answers, strict=True))
    everyone = {rid: audio for h in houses for rid, audio in h.recordings.items()}
    for request_id, house in requests.items():
        with vault.reading() as session:
            request = session.get(DataRequest, request_id)
            assert request is not None and request.state == "ready", request.state
        export_id = exports[request_id]
        assert export_id is not None
        with open_zip(archive_bytes(vault, export_id)) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            got = {
                f["source"].removeprefix("recording:"): archive.read(f["path"])
                for f in manifest["files"]
                if f["source"].startswith("recording:")
            }
        assert got == house.recordings  # exactly the requester's: ids and bytes
        assert not set(got) & (set(everyone) - set(house.recordings))
        if not house.devices:
            assert got == {}
