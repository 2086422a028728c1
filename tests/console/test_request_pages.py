"""The console's request queue and request page: sorted by due date with days left,
overdue and at-risk marked, filters in the URL, a CSV of the filtered list, and a
request page with exactly the actions the signed-in role allows (four eyes)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from console_helpers import add_member, browser, csrf_of, post_form, sign_in
from request_helpers import code_from, make_subject, make_team

from smtp_sink import SmtpSink
from voxkeep.accounts import service as accounts
from voxkeep.requests import service
from voxkeep.requests.models import Channel, DataRequest, RequestKind
from voxkeep.vault import Vault

QUEUE = "/console/requests"


def _ids_in(page: str) -> list[str]:
    return re.findall(r'<a href="/console/requests/(rq_[0-9a-f]+)">', page)


def test_the_queue_is_sorted_by_due_date_and_marks_overdue_and_at_risk(vault: Vault) -> None:
    team = make_team(vault)
    now = datetime.now(UTC)
    ids = {}
    for name, days_ago, channel in (
        ("late", 40, Channel.POST),
        ("soon", 26, Channel.EMAIL),
        ("fresh", 1, Channel.PHONE),
    ):
        make_subject(vault, name)
        ids[name] = service.enter_request(
            vault,
            staff=team.alice,
            account=name,
            kind=RequestKind.ACCESS if name != "fresh" else RequestKind.ERASURE,
            channel=channel,
            received_at=now - timedelta(days=days_ago),
        )
    add_member(vault, "reader", "dpo")
    with browser(vault) as client:
        sign_in(client, vault, "reader")
        page = client.get(QUEUE).text
        assert _ids_in(page) == [ids["late"], ids["soon"], ids["fresh"]]
        rows = page.split("<tr>")[2:]
        assert "Overdue" in rows[0] and "Due soon" not in rows[0]
        assert "Due soon" in rows[1] and "Overdue" not in rows[1]
        assert "Overdue" not in rows[2] and "Due soon" not in rows[2]
        # Filters live in the URL.
        assert _ids_in(client.get(f"{QUEUE}?kind=erasure").text) == [ids["fresh"]]
        assert _ids_in(client.get(f"{QUEUE}?channel=post").text) == [ids["late"]]
        assert _ids_in(client.get(f"{QUEUE}?state=verified").text) == []
        filtered = client.get(f"{QUEUE}?kind=access&channel=email")
        assert _ids_in(filtered.text) == [ids["soon"]]
        assert 'href="/console/requests.csv?state=&amp;' not in filtered.text
        assert 'href="/console/requests.csv?kind=access&amp;channel=email"' in filtered.text
        bad = client.get(f"{QUEUE}?kind=everything")
        assert bad.status_code == 422 and "filter" in bad.text
        # The CSV of the same filter: the request's own facts, no address.
        exported = client.get(f"{QUEUE}.csv?kind=access")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        assert exported.headers["cache-control"] == "no-store"
        table = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["id"] for r in table] == [ids["late"], ids["soon"]]
        assert table[0]["overdue"] == "true" and table[1]["at_risk"] == "true"
        assert int(table[0]["days_left"]) < 0 < int(table[1]["days_left"]) <= 7
        assert "@" not in exported.text and "late" not in exported.text.replace(ids["late"], "")


def test_the_staff_api_lists_with_the_same_filters_and_marks(vault: Vault) -> None:
    team = make_team(vault)
    make_subject(vault, "ida")
    rid = service.enter_request(
        vault,
        staff=team.alice,
        account="ida",
        kind=RequestKind.PORTABILITY,
        channel=Channel.PHONE,
        received_at=datetime.now(UTC) - timedelta(days=27),
    )
    with browser(vault) as client:
        auth = {"Authorization": f"Bearer {team.tokens['dora']}"}
        found = client.get("/api/v1/requests?kind=portability&channel=phone", headers=auth)
        assert [(r["id"], r["at_risk"], r["overdue"]) for r in found.json()] == [(rid, True, False)]
        assert client.get("/api/v1/requests?channel=post", headers=auth).json() == []


def _enter_postal(client: object, account: str) -> str:
    entered = post_form(
        client,  # type: ignore[arg-type]
        "/console/requests/new",
        {"account": account, "kind": "access", "channel": "post", "received": "", "note": ""},
        page="/console/requests/new",
    )
    assert entered.status_code == 303, entered.text
    location: str = entered.headers["location"]
    assert location.endswith("?done=entered")
    return location.split("?")[0].rsplit("/", 1)[1]


def test_four_eyes_through_the_pages(vault: Vault, mailbox: SmtpSink) -> None:
    make_subject(vault, "otto")
    add_member(vault, "agent1", "agent", "approver")  # may approve, but not what they verified
    add_member(vault, "approver1", "approver")
    with browser(vault) as agent:
        sign_in(agent, vault, "agent1")
        rid = _enter_postal(agent, "otto")
        page = agent.get(f"{QUEUE}/{rid}?done=entered")
        assert "The request is entered" in page.text
        assert f'action="/console/requests/{rid}/send-code"' in page.text
        assert f'action="/console/requests/{rid}/approve"' not in page.text
        sent = post_form(agent, f"{QUEUE}/{rid}/send-code", {}, page=f"{QUEUE}/{rid}")
        assert sent.status_code == 303
        code = code_from(mailbox, "otto@example.org")
        wrong = post_form(
            agent,
            f"{QUEUE}/{rid}/check-code",
            {"code": code, "evidence": ""},
            page=f"{QUEUE}/{rid}",
        )
        assert wrong.status_code == 422 and 'href="#evidence"' in wrong.text
        checked = post_form(
            agent,
            f"{QUEUE}/{rid}/check-code",
            {"code": code, "evidence": "read out on a call from the known number"},
            page=f"{QUEUE}/{rid}",
        )
        assert checked.status_code == 303
        page = agent.get(f"{QUEUE}/{rid}")
        assert "read out on a call" in page.text  # the verification evidence
        # The agent verified it: no approve button, and a forged POST is refused.
        assert f'action="/console/requests/{rid}/approve"' not in page.text
        forged = agent.post(f"{QUEUE}/{rid}/approve", data={"csrf_token": csrf_of(page)})
        assert forged.status_code == 403 and "Four eyes" in forged.text
        token = agent.cookies["voxkeep_staff_session"]
        api = agent.get(f"/api/v1/requests/{rid}", headers={"Authorization": f"Bearer {token}"})
        assert "approve" not in api.json()["actions"] and "cancel" in api.json()["actions"]
    with vault.reading() as session:
        request = session.get(DataRequest, rid)
        assert request is not None and request.state == "verified"
    with browser(vault) as approver:
        sign_in(approver, vault, "approver1")
        page = approver.get(f"{QUEUE}/{rid}")
        assert f'action="/console/requests/{rid}/approve"' in page.text
        assert f'action="/console/requests/{rid}/send-code"' not in page.text
        done = post_form(approver, f"{QUEUE}/{rid}/approve", {}, page=f"{QUEUE}/{rid}")
        assert done.status_code == 303 and done.headers["location"].endswith("?done=approve")
        assert "Approved." in approver.get(done.headers["location"]).text
    with vault.reading() as session:
        request = session.get(DataRequest, rid)
        assert request is not None and request.state == "building"


def test_reasons_are_required_and_roles_are_checked(vault: Vault) -> None:
    make_subject(vault, "paula")
    add_member(vault, "agent2", "agent")
    add_member(vault, "approver2", "approver")
    with browser(vault) as agent:
        sign_in(agent, vault, "agent2")
        rid = _enter_postal(agent, "paula")
        empty = post_form(
            agent, f"{QUEUE}/{rid}/extend", {"months": "1", "reason": " "}, page=f"{QUEUE}/{rid}"
        )
        assert empty.status_code == 422 and 'href="#extend-reason"' in empty.text
        page = agent.get(f"{QUEUE}/{rid}").text
        assert f"{rid}/refuse" not in page  # refusing needs approver or dpo
        refused = agent.post(
            f"{QUEUE}/{rid}/refuse", data={"csrf_token": csrf_of(agent.get(QUEUE)), "reason": "x"}
        )
        assert refused.status_code == 403
        extended = post_form(
            agent,
            f"{QUEUE}/{rid}/extend",
            {"months": "2", "reason": "many recordings"},
            page=f"{QUEUE}/{rid}",
        )
        assert extended.status_code == 303
        assert "extended by 2 months" in agent.get(f"{QUEUE}/{rid}").text
        cancelled = post_form(
            agent, f"{QUEUE}/{rid}/cancel", {"reason": "withdrawn by letter"}, page=f"{QUEUE}/{rid}"
        )
        assert cancelled.status_code == 303
        assert "Nothing for you to do" in agent.get(f"{QUEUE}/{rid}").text
    with browser(vault) as approver:
        sign_in(approver, vault, "approver2")
        assert approver.get("/console/requests/new").status_code == 403
        assert "/console/requests/new" not in approver.get(QUEUE).text
        unknown = post_form(
            approver,
            "/console/requests/new",
            {"account": "x", "kind": "access", "channel": "post"},
            page=QUEUE,
        )
        assert unknown.status_code == 403


def test_entering_names_an_unknown_account_plainly(vault: Vault) -> None:
    add_member(vault, "agent3", "agent")
    with browser(vault) as agent:
        sign_in(agent, vault, "agent3")
        page = post_form(
            agent,
            "/console/requests/new",
            {
                "account": "nobody-here",
                "kind": "access",
                "channel": "post",
                "received": "2026-13-01",
            },
            page="/console/requests/new",
        )
        assert page.status_code == 422 and 'href="#received"' in page.text
        page = post_form(
            agent,
            "/console/requests/new",
            {"account": "nobody-here", "kind": "access", "channel": "post"},
            page="/console/requests/new",
        )
        assert page.status_code == 404 and 'href="#account"' in page.text
        assert "nobody-here" in page.text  # kept in the form, never in the URL


def test_a_changed_address_is_confirmed_on_the_page_before_a_code_goes_out(
    vault: Vault, mailbox: SmtpSink
) -> None:
    make_subject(vault, "rita")
    add_member(vault, "agent4", "agent")
    with browser(vault) as agent:
        sign_in(agent, vault, "agent4")
        rid = _enter_postal(agent, "rita")
        with vault.transaction() as session:
            accounts.upsert_account(
                vault,
                session,
                external_id="rita",
                changes=accounts.AccountChanges(email="rita.new@example.org"),
                actor="system:test",
            )
        page = agent.get(f"{QUEUE}/{rid}").text
        assert "Changed after the request came in" in page
        assert f"{rid}/confirm-address" in page and f"{rid}/send-code" not in page
        forged = agent.post(
            f"{QUEUE}/{rid}/send-code", data={"csrf_token": csrf_of(agent.get(QUEUE))}
        )
        assert forged.status_code == 409  # the service refuses it too
        done = post_form(agent, f"{QUEUE}/{rid}/confirm-address", {}, page=f"{QUEUE}/{rid}")
        assert done.headers["location"].endswith("?done=confirm_address")
        page = agent.get(f"{QUEUE}/{rid}").text
        assert f"{rid}/send-code" in page and f"{rid}/confirm-address" not in page
        assert (
            post_form(agent, f"{QUEUE}/{rid}/send-code", {}, page=f"{QUEUE}/{rid}").status_code
            == 303
        )
        assert code_from(mailbox, "rita.new@example.org")


def test_the_queue_and_the_request_page_name_states_in_words(vault: Vault) -> None:
    team = make_team(vault)
    make_subject(vault, "uwe")
    rid = service.enter_request(
        vault, staff=team.alice, account="uwe", kind=RequestKind.ACCESS, channel=Channel.POST
    )
    add_member(vault, "reader", "dpo")
    with browser(vault) as client:
        sign_in(client, vault, "reader")
        page = client.get(QUEUE).text
        row = page.split("<tr>")[2]
        assert "<td>Received</td>" in row and ">received<" not in row
        assert '<option value="verified">Identity verified</option>' in page
        detail = client.get(f"{QUEUE}/{rid}").text
        assert "<dd>Received</dd>" in detail
        client.cookies.set("voxkeep_lang", "de")
        german = client.get(QUEUE).text
        assert "<td>Eingegangen</td>" in german
        assert '<option value="blocked">Angehalten</option>' in german
