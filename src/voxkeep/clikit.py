"""What every `voxkeep` command group shares: one error handler, lazy settings, the vault."""

from __future__ import annotations

import importlib
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from voxkeep.config import Settings, load_settings
from voxkeep.db.faults import DATABASE_FAULTS, database_fault
from voxkeep.errors import VoxkeepError
from voxkeep.vault import Vault, open_vault

if TYPE_CHECKING:
    from voxkeep.people.staff import StaffSession


class Group(click.Group):
    """Turns every VoxkeepError into its explanation and a non-zero exit, in one place.

    ``lazy`` names subcommands by "module:attribute", imported only when one is
    looked up (run, or listed by --help), so a command starts without loading
    every other command's services.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except VoxkeepError as exc:
            # Whoever runs a command is the operator: a fault's cause says what to check.
            text = f"{exc.message} {exc.cause}." if exc.cause else str(exc)
            raise click.ClickException(text) from None
        except DATABASE_FAULTS as exc:
            fault = database_fault(exc, during="the command")
            # The driver's first line names host, port or database, never a password.
            orig = getattr(exc, "orig", None)
            first = str(orig).strip().splitlines()[0] if orig else type(exc).__name__
            raise click.ClickException(f"{fault.message} ({first}). {fault.cause}.") from None


class LazySettings(dict[str, Any]):
    """ctx.obj whose "settings" load on first use, so `--help` works with broken settings."""

    def __init__(self, config: Path | None, overrides: dict[str, Any]) -> None:
        super().__init__()
        self._config = config
        self._overrides = overrides

    def __missing__(self, key: str) -> Any:
        if key != "settings":
            raise KeyError(key)
        self["settings"] = self.load()
        return self["settings"]

    def load(self, *, demo_file: bool = True) -> Settings:
        """The settings anew (demo_file=False: without what `voxkeep demo` chose)."""
        return load_settings(self._config, demo_file=demo_file, **self._overrides)


class LeftColumn(TimeRemainingColumn):
    """The estimated time left, labelled, while there is an estimate; blank once done.

    Alone, rich's remaining-time column reads 0:00:00 at the end of every job,
    which looks like the time the job took.
    """

    def render(self, task: Task) -> Text:
        if task.finished or task.total is None:
            return Text("")
        remaining = super().render(task)
        remaining.append(" left")
        return remaining


def progress(
    console: Console, *, auto_refresh: bool = True, get_time: Callable[[], float] | None = None
) -> Progress:
    """The progress bar every long command shows: done of total, time taken, time left.

    auto_refresh: redrawn by a thread; get_time: the clock (tests pass their own).
    """
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        LeftColumn(),
        console=console,
        auto_refresh=auto_refresh,
        get_time=get_time,
    )


def operator_settings(ctx: click.Context) -> Settings:
    """The settings as the operator gave them, without those `voxkeep demo` keeps."""
    lazy: LazySettings = ctx.find_root().obj
    return lazy.load(demo_file=False)


def settings_of(ctx: click.Context) -> Settings:
    settings: Settings = ctx.find_root().obj["settings"]
    return settings


def vault_of(ctx: click.Context) -> Vault:
    """Open the vault for this command; it closes when the command ends."""
    vault = open_vault(settings_of(ctx))
    ctx.call_on_close(vault.close)
    return vault


# Staff sign-in for a command group ------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])
_STAFF = "voxkeep.staff."


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[_STAFF + str(param.name)] = value  # shared by every subcommand's context
    return value


def staff_options(group: F) -> F:
    """The options by which a group's commands act as a signed-in staff member (staff_of)."""
    options = (
        click.option(
            "--as",
            "as_",
            metavar="NAME",
            expose_value=False,
            callback=_remember,
            help="Sign in as this staff member (asks for the password).",
        ),
        click.option(
            "--password-stdin",
            is_flag=True,
            expose_value=False,
            callback=_remember,
            help="With --as: read the password, then the authenticator code, from standard input.",
        ),
        click.option(
            "--staff-token",
            envvar="VOXKEEP_STAFF_TOKEN",
            metavar="TOKEN",
            expose_value=False,
            callback=_remember,
            help="A staff session token (vst_...); default from VOXKEEP_STAFF_TOKEN.",
        ),
    )
    for option in reversed(options):
        group = option(group)
    return group


def staff_of(ctx: click.Context, vault: Vault) -> StaffSession:
    """Who runs the command: ``--as NAME`` signs in for this one command (the password and
    the code from the authenticator app are asked for, or read from standard input, one a
    line); else the staff session token (``VOXKEEP_STAFF_TOKEN``)."""
    import sys

    from voxkeep.people.staff import current_staff, staff_sign_in, staff_sign_out

    name, token = ctx.meta.get(_STAFF + "as_"), ctx.meta.get(_STAFF + "staff_token")
    if name:
        if ctx.meta.get(_STAFF + "password_stdin"):
            password = sys.stdin.readline().rstrip("\r\n")
            code = sys.stdin.readline().strip()
        else:
            password = click.prompt(f"Password for {name}", hide_input=True, err=True)
            code = click.prompt("Code from your authenticator app", err=True)
        signed = staff_sign_in(vault, name=name, password=password, client="cli", totp_code=code)
        # A session for this one command: it ends when the command does.
        ctx.call_on_close(lambda: staff_sign_out(vault, staff=signed.session))
        return signed.session
    if not token:
        raise click.UsageError(
            "Say who you are: --as NAME (asks for your password) or VOXKEEP_STAFF_TOKEN."
        )
    with vault.reading() as session:
        return current_staff(vault, session, token=token)


def stop_on_signal() -> threading.Event:
    """An event set by SIGINT or SIGTERM: a long-running command waits on it, then stops."""
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    return stopped
