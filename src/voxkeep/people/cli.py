"""`voxkeep people` and `voxkeep staff`: thin shells over the people services.

The root command turns every VoxkeepError into its explanation and a non-zero
exit, so nothing here catches errors.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console

from voxkeep.audit.events import SYSTEM
from voxkeep.clikit import vault_of
from voxkeep.people.models import StaffRole

err = Console(stderr=True)
out = Console()

F = TypeVar("F", bound=Callable[..., Any])
ROLE = click.Choice([r.value for r in StaffRole])


@click.group()
def people() -> None:
    """Invite people (data subjects) to set a password; end their sessions."""


@people.command("invite")
@click.argument("account_id")
@click.pass_context
def people_invite(ctx: click.Context, account_id: str) -> None:
    """Mail ACCOUNT_ID's verified address a single-use link to set a password."""
    from voxkeep.people.service import invite_person

    sent = invite_person(vault_of(ctx), external_id=account_id, actor=SYSTEM)
    out.print(
        f"Invitation {sent.id} sent; the link works once, "
        f"until {sent.expires_at:%Y-%m-%d %H:%M} UTC."
    )


@people.command("sign-out")
@click.argument("account_id")
@click.pass_context
def people_sign_out(ctx: click.Context, account_id: str) -> None:
    """End every session of ACCOUNT_ID at once."""
    from voxkeep.people.service import revoke_person_sessions

    ended = revoke_person_sessions(vault_of(ctx), external_id=account_id, actor=SYSTEM)
    out.print(f"{ended} session{'s' if ended != 1 else ''} ended.")


@click.group()
def staff() -> None:
    """Manage staff accounts (roles: agent, approver, dpo, admin)."""


def _password_option(command: F) -> F:
    command = click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from the first line of standard input.",
    )(command)
    return click.option(
        "--prompt-password",
        is_flag=True,
        help="Ask for the password (hidden, twice).",
    )(command)


def _read_password(prompt: bool, stdin: bool) -> str | None:
    if prompt and stdin:
        raise click.UsageError("Choose --prompt-password or --password-stdin, not both.")
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if prompt:
        value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
        return value
    return None


@staff.command("add")
@click.argument("name")
@click.option(
    "--role", "roles", multiple=True, required=True, type=ROLE, help="Repeat for several roles."
)
@_password_option
@click.pass_context
def staff_add(
    ctx: click.Context,
    name: str,
    roles: tuple[str, ...],
    prompt_password: bool,
    password_stdin: bool,
) -> None:
    """Add a staff member NAME (a login handle). Without a password option, prints a
    single-use link to set one."""
    from voxkeep.people.staff import add_staff, password_link

    vault = vault_of(ctx)
    password = _read_password(prompt_password, password_stdin)
    info, token = add_staff(vault, name=name, roles=roles, actor=SYSTEM, password=password)
    err.print(f"Staff member {info.name} ({info.id}) added with roles {', '.join(info.roles)}.")
    if token is not None:
        err.print(
            f"Give them this single-use link to set a password (valid until "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC); it is shown once:"
        )
        click.echo(password_link(vault, token))


@staff.command("list")
@click.pass_context
def staff_list(ctx: click.Context) -> None:
    """List staff members with their roles."""
    from voxkeep.people.staff import list_staff

    rows = list_staff(vault_of(ctx))
    if not rows:
        out.print("No staff. Add one with `voxkeep staff add NAME --role admin`.")
    for s in rows:
        state = f"disabled {s.disabled_at:%Y-%m-%d}" if s.disabled_at else "active"
        password = "" if s.has_password else "  (no password yet)"
        app = "" if s.has_totp else "  (no authenticator app yet)"
        out.print(
            f"{s.id}  {s.name}  [{', '.join(s.roles)}]  created {s.created_at:%Y-%m-%d}  "
            f"{state}{password}{app}",
            markup=False,
            highlight=False,
        )


@staff.command("roles")
@click.argument("name")
@click.option(
    "--role", "roles", multiple=True, required=True, type=ROLE, help="Repeat for several roles."
)
@click.pass_context
def staff_roles(ctx: click.Context, name: str, roles: tuple[str, ...]) -> None:
    """Replace NAME's roles with the given ones."""
    from voxkeep.people.staff import set_roles

    info = set_roles(vault_of(ctx), ref=name, roles=roles, actor=SYSTEM)
    out.print(f"{info.name} now has roles {', '.join(info.roles)}.")


@staff.command("disable")
@click.argument("name")
@click.pass_context
def staff_disable(ctx: click.Context, name: str) -> None:
    """Disable NAME: their sessions and password links end at once."""
    from voxkeep.people.staff import disable_staff

    info = disable_staff(vault_of(ctx), ref=name, actor=SYSTEM)
    out.print(f"{info.name} is disabled.")


@staff.command("enable")
@click.argument("name")
@click.pass_context
def staff_enable(ctx: click.Context, name: str) -> None:
    """Enable NAME again."""
    from voxkeep.people.staff import enable_staff

    info = enable_staff(vault_of(ctx), ref=name, actor=SYSTEM)
    out.print(f"{info.name} is enabled.")


@staff.command("reset-totp")
@click.argument("name")
@click.pass_context
def staff_reset_totp(ctx: click.Context, name: str) -> None:
    """Forget NAME's authenticator app (a lost phone): their sessions end, and their next
    sign-in sets up a new one."""
    from voxkeep.people.staff import reset_totp

    info = reset_totp(vault_of(ctx), ref=name, actor=SYSTEM)
    out.print(f"{info.name} sets up an authenticator app again at the next sign-in.")


@staff.command("password")
@click.argument("name")
@_password_option
@click.pass_context
def staff_password(
    ctx: click.Context, name: str, prompt_password: bool, password_stdin: bool
) -> None:
    """Set NAME's password (their sessions end), or, without an option, print a new
    single-use link to set it."""
    from voxkeep.people.staff import issue_password_token, password_link, set_staff_password

    vault = vault_of(ctx)
    password = _read_password(prompt_password, password_stdin)
    if password is not None:
        set_staff_password(vault, ref=name, password=password, actor=SYSTEM)
        out.print("Password set.")
        return
    token = issue_password_token(vault, ref=name, actor=SYSTEM)
    err.print(
        f"Single-use link to set a password (valid until {token.expires_at:%Y-%m-%d %H:%M} "
        "UTC), shown once:"
    )
    click.echo(password_link(vault, token))
