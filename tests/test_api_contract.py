"""The OpenAPI document tells the truth: schemathesis calls every operation with
generated input, as an operator, a person and a staff member, against a real vault.

Checks: no server error, every status the document lists, every body as the
document describes it. Bounded examples keep it to seconds per database.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from smtp_sink import SmtpSink
from staff_totp import api_sign_in
from voxkeep.people import staff
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"#(vi_[A-Za-z0-9_-]+)")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Signing out would end the session the rest of the run uses; the operator's
# run still calls these (and gets the documented 401).
SIGN_OUTS = {"/api/v1/people/sessions/current", "/api/v1/staff/sessions/current"}


def callers(client: TestClient, vault: Vault, smtp_sink: SmtpSink) -> dict[str, dict[str, str]]:
    """Each kind of caller's credentials, made through the services before any run can fuzz
    the sign-in throttle: an operator token with every scope, a person, a staff member."""
    with vault.transaction() as session:
        _, operator = create_token(session, name="contract", scopes=list(Scope), actor="system")
    client.headers.update(bearer(operator))
    login = f"s.{uuid.uuid4().hex[:8]}"
    roles = ["agent", "approver", "dpo", "admin"]
    staff.add_staff(vault, name=login, roles=roles, actor="system", password=PASSWORD)
    response = api_sign_in(client, login, PASSWORD)
    assert response.status_code == 201, response.text
    return {
        "operator": bearer(operator),
        "person": bearer(_person(client, smtp_sink)),
        "staff": bearer(response.json()["token"]),
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _person(client: TestClient, smtp_sink: SmtpSink) -> str:
    """A person as they come in: registered, invited by mail, password set, signed in."""
    account, email = f"acct-{uuid.uuid4().hex[:8]}", f"p-{uuid.uuid4().hex[:8]}@example.org"
    assert client.put(f"/api/v1/accounts/{account}", json={"email": email}).status_code == 201
    assert client.post(f"/api/v1/accounts/{account}/invite").status_code == 202
    found = LINK.search(smtp_sink.wait_for(email, count=1)[-1].body)
    assert found is not None
    body = {"token": found.group(1), "password": PASSWORD}
    assert client.post("/api/v1/people/password", json=body).status_code == 204
    body = {"email": email, "password": PASSWORD}
    response = client.post("/api/v1/people/sessions", json=body)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


# Valid input and input the document says is invalid, which must get a documented error.
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def exercise(operation: Any, callers: dict[str, dict[str, str]]) -> str | None:
    """Call one operation with bounded generated input as each caller; what went wrong, if
    anything. Each case is generated once and sent as every caller: the cases are those a
    run per caller would draw (derandomized, one test function), at a third of the cost."""

    @EXAMPLES
    @given(case=st.one_of([operation.as_strategy(mode) for mode in MODES]))
    def call(case: Any) -> None:
        failed: list[str] = []
        for kind, headers in callers.items():
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:  # every caller's, not only the first
                failed.append(f"as the {kind}: {exc}")
        if failed:
            raise AssertionError("\n".join(failed))

    try:
        call()
    except (Exception, BaseExceptionGroup) as exc:  # every operation's, not only the first
        return str(exc)
    return None


def test_every_operation_keeps_to_the_document(
    client: TestClient, vault: Vault, mailbox: SmtpSink
) -> None:
    """One vault for all three callers: a vault per operation would take minutes."""
    headers = callers(client, vault, mailbox)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    failures: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()
        kinds = ("operator",) if operation.path in SIGN_OUTS else tuple(headers)
        failure = exercise(operation, {kind: headers[kind] for kind in kinds})
        if failure:
            failures.append(f"{operation.label} ({', '.join(kinds)}): {failure}")
    assert not failures, "\n\n".join(failures)


def test_every_error_is_documented_as_the_json_error_body(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"] == error, (operation["operationId"], status)
    checkpoint = document["paths"]["/api/v1/audit/checkpoint"]["get"]["responses"]
    assert {"401", "403"} <= set(checkpoint)
    del client.headers["Authorization"]
    response = client.get("/api/v1/audit/checkpoint")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_the_statuses_an_operation_can_answer_are_listed(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for item in paths.values():
        for operation in item.values():
            statuses = set(operation["responses"])
            names = {p["name"] for p in operation.get("parameters", [])}
            if "requestBody" in operation:
                assert {"400", "422"} <= statuses, operation["operationId"]
            if operation.get("security"):
                assert {"401", "403"} <= statuses, operation["operationId"]
            if "account_id" in names:
                assert "410" in statuses, operation["operationId"]
    for path in (
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/{account_id}/devices/{device_id}",
    ):
        assert {"200", "201"} <= set(paths[path]["put"]["responses"])
    assert "410" in paths["/api/v1/recordings"]["post"]["responses"]  # an erased account's upload
    assert "410" in paths["/api/v1/requests"]["post"]["responses"]  # entered for an erased one
