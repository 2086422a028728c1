"""Fixtures for requests and jobs: real accounts, real staff sessions, the real SMTP sink."""

from __future__ import annotations

import pytest
from request_helpers import Team, make_team

from smtp_sink import SmtpSink
from voxkeep.vault import Vault


@pytest.fixture
def team(vault: Vault) -> Team:
    """Signed-in staff: agents alice and anton, approvers bob and berta, carol (agent and
    approver), dora (dpo), erik (admin)."""
    return make_team(vault)


@pytest.fixture
def mail(mailbox: SmtpSink) -> SmtpSink:
    return mailbox
