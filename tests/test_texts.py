"""What voxkeep tells people must be true when it is sent (issue 10, point 12).

Mails and error messages promise only what a person can do with the routes the
app has today. The portal (pages for people) lands a slice at a time: texts
that would naturally point at a page it does not have yet are listed in
STAND_INS with that page, and a test fails when the page appears, so those
texts are rewritten to point at it then.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Route

from voxkeep.app import create_app
from voxkeep.people.mails import INVITE, LOCKED, RESET, STAFF_INVITE, STAFF_RESET
from voxkeep.requests import notices
from voxkeep.vault import Vault
from voxkeep.web import i18n

SOURCE = Path(__file__).resolve().parent.parent / "src" / "voxkeep"
LANGUAGES = {"en", "de", "fr"}

# What a mail may claim, in each language, and the route (method, path) that must
# exist for the claim to be true. NOT_YET: no route makes it true yet. The first
# claim is checked in error messages too.
NOT_YET = ("", "")
PORTAL = ("GET", "/history")  # the portal's first page for a signed-in person
CLAIMS: list[tuple[str, re.Pattern[str], tuple[str, str]]] = [
    # "A portal request" is the channel of requests a person files signed in (the
    # API has it today, docs/requests.md), not the pages.
    ("names the portal", re.compile(r"\bportal\b(?! requests?\b)|\bportail\b", re.I), PORTAL),
    ("offers to hear recordings", re.compile(r"\bhear\b|\banhören\b|\bécouter\b"), PORTAL),
    (
        "offers to delete recordings directly",
        re.compile(r"\bdelete\b|\blöschen\b|\bsupprimer\b"),
        ("POST", "/delete"),
    ),
    (
        "offers to sign in",
        re.compile(r"\bsign(?:ed)? in\b|\banmelden\b|\bangemeldet\b|\bconnect"),
        ("POST", "/api/v1/people/sessions"),
    ),
    (
        "offers a download",
        re.compile(r"\bdownload|herunter(?:zu)?laden|heruntergeladen|télécharg"),
        ("GET", "/api/v1/exports/{export_id}/archive"),
    ),
    (
        "offers to ask for a copy or erasure",
        re.compile(r"\bask for\b|\bverlangen\b|\ben demander\b"),
        ("POST", "/api/v1/requests/mine"),
    ),
]

# Texts worded around a portal page that does not exist yet, and that page: when
# it lands, point the text at it (en, de, fr) and drop the entry. (Empty: the answer's
# texts now point at GET /requests.)
STAND_INS: dict[str, tuple[str, tuple[str, str]]] = {}


STAFF_MAILS = [("invitation", STAFF_INVITE), ("password link", STAFF_RESET)]


def mails() -> dict[str, str]:
    texts = {f"invite mail ({lang})": " ".join(text) for lang, text in INVITE.items()}
    texts |= {f"reset mail ({lang})": " ".join(text) for lang, text in RESET.items()}
    texts |= {f"locked mail ({lang})": " ".join(text) for lang, text in LOCKED.items()}
    for kind, by_language in STAFF_MAILS:
        for lang, text in by_language.items():
            texts[f"staff {kind} mail ({lang})"] = " ".join(text)
    for notice, by_language in notices._TEXTS.items():
        for lang, text in by_language.items():
            texts[f"{notice.value} notice ({lang})"] = " ".join(text)
    return texts


def error_classes(trees: list[ast.Module]) -> set[str]:
    """Names of every class that derives (through any chain) from VoxkeepError."""
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id for b in node.bases if isinstance(b, ast.Name)}
                names |= {b.attr for b in node.bases if isinstance(b, ast.Attribute)}
                bases.setdefault(node.name, set()).update(names)
    found = {"VoxkeepError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def literal(node: ast.expr) -> str:
    """The literal text of a string argument (an f-string's fixed parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(literal(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return literal(node.left) + literal(node.right)
    return ""


def error_texts() -> dict[str, str]:
    """Every literal message and hint of an error raised anywhere in voxkeep."""
    files = sorted(SOURCE.rglob("*.py"))
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in files]
    errors = error_classes(trees)
    texts: dict[str, str] = {}
    for path, tree in zip(files, trees, strict=True):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in errors:
                continue
            parts = [literal(a) for a in node.args[:1]]
            parts += [literal(k.value) for k in node.keywords if k.arg == "hint"]
            where = f"{name} at {path.relative_to(SOURCE)}:{node.lineno}"
            texts[where] = " ".join(p for p in parts if p)
    return texts


def flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        # FastAPI keeps an included router whole (its paths carry its own prefix).
        included = getattr(route, "original_router", None)
        yield from flat(included.routes) if included is not None else (route,)


def routes(app: FastAPI) -> set[tuple[str, str]]:
    found = {
        (method, route.path)
        for route in flat(app.routes)
        if isinstance(route, Route)
        for method in route.methods or ()
    }
    assert ("GET", "/api/v1/exports/{export_id}") in found  # the walk reaches routers
    return found


@pytest.fixture
def app(vault: Vault) -> FastAPI:
    return create_app(vault)


def test_the_checks_find_the_texts() -> None:
    assert len(mails()) == 3 * (3 + len(STAFF_MAILS) + len(notices.Notice))
    hints = error_texts()
    assert len(hints) > 100
    assert any("There is no account with this id." in text for text in hints.values())


def test_every_mail_exists_in_each_language_with_the_same_fields() -> None:
    def fields(text: tuple[str, str]) -> set[str]:
        return {f for part in text for _, f, _, _ in string.Formatter().parse(part) if f}

    for name, by_language in [
        ("invite", INVITE),
        ("reset", RESET),
        ("locked", LOCKED),
        *STAFF_MAILS,
        *notices._TEXTS.items(),
    ]:
        assert set(by_language) == LANGUAGES, name
        assert len({frozenset(fields(text)) for text in by_language.values()}) == 1, name


def test_no_text_promises_what_no_route_offers(app: FastAPI) -> None:
    have = routes(app)
    assert PORTAL in have, "the portal's first page moved: update PORTAL"
    wrong = []
    texts = [(where, text, CLAIMS) for where, text in mails().items()]
    # Errors, mostly read by operators and staff, are only held to not naming the portal.
    texts += [(where, text, CLAIMS[:1]) for where, text in error_texts().items()]
    for where, text, claims in texts:
        for claim, pattern, needs in claims:
            if pattern.search(text) and needs not in have:
                wrong.append(
                    f"{where} {claim} ({needs if needs != NOT_YET else 'nothing'} offers it)"
                )
    assert wrong == []


def test_texts_standing_in_for_a_portal_page_are_revisited_when_it_lands(app: FastAPI) -> None:
    texts = " ".join([*mails().values(), *error_texts().values()])
    have = routes(app)
    landed = [name for name, (_, page) in STAND_INS.items() if page in have]
    assert landed == [], (
        f"These texts were worded while their portal page did not exist; it does now. "
        f"Point them at it in en, de and fr, then drop them from STAND_INS: {landed}"
    )
    for name, (words, _) in STAND_INS.items():
        assert words in texts, f"{name}: STAND_INS no longer matches the text"


def test_the_invitation_points_at_the_portal() -> None:
    for lang, (_, body) in INVITE.items():
        assert re.search(CLAIMS[0][1], body) and re.search(CLAIMS[1][1], body), lang


def test_the_ready_notice_names_the_requests_page_as_the_portal_titles_it(app: FastAPI) -> None:
    assert ("GET", "/requests") in routes(app)
    for lang, (_, body) in notices._TEXTS[notices.Notice.READY].items():
        title = i18n.translate(lang, "nav.requests")
        assert title in body, lang
        assert "http" not in body, lang  # named, never linked
