"""The demo's outbox page: the mails `voxkeep demo`'s vault has sent, newest first,
and each one's text, so a newcomer can follow a journey that needs a mailed code.

Registered only for a demo vault that mails into an outbox folder
(mail.outbox.demo_outbox); create_app leaves it out everywhere else.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from voxkeep.mail import outbox
from voxkeep.vault import Vault
from voxkeep.web.deps import VaultDep
from voxkeep.web.pageroute import PageRoute, VisitorDep
from voxkeep.web.render import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _folder(vault: Vault) -> Path:
    folder = outbox.demo_outbox(vault.settings)
    assert folder is not None  # the router is only there for a demo vault with an outbox
    return folder


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


@router.get("/demo/outbox")
def outbox_page(request: Request, vault: VaultDep, who: VisitorDep) -> HTMLResponse:
    mails = outbox.list_mails(_folder(vault))
    return render(
        request,
        "demo/outbox.html",
        lang=who.lang,
        signed_in=who.signed_in,
        mails=[(m, _when(m.sent_at)) for m in mails],
    )


@router.get("/demo/outbox/{mail_id}")
def mail_page(request: Request, vault: VaultDep, who: VisitorDep, mail_id: str) -> HTMLResponse:
    mail = outbox.read_mail(_folder(vault), mail_id)
    return render(
        request,
        "demo/mail.html",
        lang=who.lang,
        signed_in=who.signed_in,
        mail=mail,
        when=_when(mail.sent_at),
    )
