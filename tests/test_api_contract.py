"""The OpenAPI document tells the truth: schemathesis calls every operation with
generated input, as an operator, a person and a staff member, against a real vault.

Checks: no server error, every status the document lists, every body as the
document describes it. Bounded examples keep it to seconds per database.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from conftest import BACKEND, _pg_admin, _pg_url, _test_overrides
from smtp_sink import SmtpSink
from voxkeep.app import create_app
from voxkeep.config import Settings
from voxkeep.people import staff
from voxkeep.tokens.service import Scope, create_token
from voxkeep.vault import Vault, open_vault

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"#(vi_[A-Za-z0-9_-]+)")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Signing out would end the session the rest of the run uses; the operator's
# run still calls these (and gets the documented 401).
SIGN_OUTS = {"/api/v1/people/sessions/current", "/api/v1/staff/sessions/current"}


@pytest.fixture(scope="module")
def module_vault(
    template: Settings, tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink
) -> Iterator[Vault]:
    """One vault for a run of every operation (a vault per operation would be minutes)."""
    data_dir = tmp_path_factory.mktemp("contract") / "data"
    shutil.copytree(template.data_dir, data_dir)
    overrides = _test_overrides(smtp_sink)
    name = ""
    if BACKEND == "postgresql":
        assert template.database_url is not None
        source = template.database_url.get_secret_value().rsplit("/", 1)[1]
        name = f"voxkeep_c_{uuid.uuid4().hex[:12]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        overrides["database_url"] = _pg_url(name)
    opened = open_vault(Settings(data_dir=Path(data_dir), **overrides))
    yield opened
    opened.close()
    if name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def app_and_callers(
    module_vault: Vault, smtp_sink: SmtpSink
) -> Iterator[tuple[FastAPI, dict[str, dict[str, str]]]]:
    """The app, and each kind of caller's credentials, made before any run can fuzz the
    sign-in throttle: an operator token with every scope, a person, a staff member."""
    vault = module_vault
    with vault.transaction() as session:
        _, operator = create_token(session, name="contract", scopes=list(Scope), actor="system")
    app = create_app(vault)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers.update(bearer(operator))
        login = f"s.{uuid.uuid4().hex[:8]}"
        roles = ["agent", "approver", "dpo", "admin"]
        staff.add_staff(vault, name=login, roles=roles, actor="system", password=PASSWORD)
        body = {"name": login, "password": PASSWORD}
        response = client.post("/api/v1/staff/sessions", json=body)
        assert response.status_code == 201, response.text
        yield (
            app,
            {
                "operator": bearer(operator),
                "person": bearer(_person(client, smtp_sink)),
                "staff": bearer(response.json()["token"]),
            },
        )


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
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("kind", ["operator", "person", "staff"])
def test_every_operation_keeps_to_the_document(
    kind: str, app_and_callers: tuple[FastAPI, dict[str, dict[str, str]]]
) -> None:
    app, callers = app_and_callers
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    for found in schema.get_all_operations():
        operation = found.ok()
        if kind != "operator" and operation.path in SIGN_OUTS:
            continue

        @EXAMPLES
        @given(case=st.one_of([operation.as_strategy(mode) for mode in MODES]))
        def call(case: Any) -> None:
            case.call_and_validate(headers=callers[kind], checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # all failures, not only the first
            failures.append(f"{operation.label}: {exc}")
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
