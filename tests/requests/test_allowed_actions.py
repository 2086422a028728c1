"""allowed_actions (what the console offers and the staff API lists) agrees with what
each action's own function does: every action it lists succeeds, every other one is
refused, for each staff member and the states a staff-entered request goes through."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest
from request_helpers import Team, code_from, make_subject

from smtp_sink import SmtpSink
from voxkeep.errors import VoxkeepError
from voxkeep.people.staff import StaffSession
from voxkeep.requests import service, verification, views
from voxkeep.requests.models import Channel, RequestKind
from voxkeep.requests.service import StaffAction as A
from voxkeep.vault import Vault

NAMES = count()


def _received(vault: Vault, mail: SmtpSink, team: Team) -> str:
    name = f"subject{next(NAMES)}"
    make_subject(vault, name)
    return service.enter_request(
        vault, staff=team.carol, account=name, kind=RequestKind.ACCESS, channel=Channel.POST
    )


def _paused(vault: Vault, mail: SmtpSink, team: Team) -> str:
    request_id = _received(vault, mail, team)
    verification.send_code(vault, staff=team.carol, request_id=request_id)
    return request_id


def _verified(vault: Vault, mail: SmtpSink, team: Team) -> str:
    request_id = _paused(vault, mail, team)
    account = views.show_request(vault, staff=team.carol, request_id=request_id).account
    code = code_from(mail, f"{account}@example.org")
    verification.check_code(
        vault, staff=team.carol, request_id=request_id, code=code, evidence="by phone"
    )
    return request_id


def _do(
    vault: Vault, mail: SmtpSink, staff: StaffSession, action: A, request_id: str
) -> Callable[[], object]:
    def check_code() -> object:
        account = views.show_request(vault, staff=staff, request_id=request_id).account
        sent = mail.to(f"{account}@example.org")  # none before a code was sent
        code = code_from(mail, f"{account}@example.org") if sent else "00000000"
        return verification.check_code(
            vault, staff=staff, request_id=request_id, code=code, evidence="by phone"
        )

    calls: dict[A, Callable[[], object]] = {
        A.SEND_CODE: lambda: verification.send_code(vault, staff=staff, request_id=request_id),
        A.CONFIRM_ADDRESS: lambda: verification.confirm_address(
            vault, staff=staff, request_id=request_id
        ),
        A.CHECK_CODE: check_code,
        A.APPROVE: lambda: service.approve(vault, staff=staff, request_id=request_id),
        A.EXTEND: lambda: service.extend(
            vault, staff=staff, request_id=request_id, months=1, reason="volume"
        ),
        A.REFUSE: lambda: service.refuse(
            vault, staff=staff, request_id=request_id, reason="excessive"
        ),
        A.CANCEL: lambda: service.cancel(
            vault, staff=staff, request_id=request_id, reason="withdrawn"
        ),
    }
    return calls[action]


@pytest.mark.parametrize("stage", [_received, _paused, _verified], ids=lambda f: f.__name__)
@pytest.mark.parametrize("who", ["carol", "alice", "bob", "dora", "erik"])
def test_what_is_offered_is_exactly_what_succeeds(
    vault: Vault, team: Team, mail: SmtpSink, stage: Callable[..., str], who: str
) -> None:
    staff = getattr(team, who)
    disagree = []
    for action in A:
        request_id = stage(vault, mail, team)
        offered = views.show_request(vault, staff=staff, request_id=request_id).actions
        try:
            _do(vault, mail, staff, action, request_id)()
            succeeded = True
        except VoxkeepError:
            succeeded = False
        if succeeded != (action.value in offered):
            disagree.append((action.value, "offered" if action in offered else "not offered"))
    assert disagree == []
