"""``xuke audit``: the audit trail (审计), checked against the event store's hash chain and
replayed case by case, so an auditor needs no access beyond the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from xuke.application.principal import Principal
from xuke.cli.common import console, read_side
from xuke.demo import print_deadlines, print_history, print_licence
from xuke.domain.case_numbers import is_case_no
from xuke.domain.errors import DomainError
from xuke.domain.roles import Role
from xuke.settings import Settings
from xuke.supervision.audit import verify_audit_trail

app = typer.Typer(help="The audit trail (审计).", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain and compare it with the event store."""
    application, store = read_side(Settings())
    result = verify_audit_trail(application.recorder, store)
    if result.ok:
        console.print(f"[green]audit trail intact[/]: {result.checked} events checked")
        return
    console.print(
        f"[red]audit trail broken at position {result.first_bad_position}[/]: {result.reason}"
    )
    raise typer.Exit(1)


@app.command("replay")
def audit_replay(
    case_no: str,
    as_of_version: Annotated[
        int | None, typer.Option(help="The version to stop at (default: the latest).")
    ] = None,
) -> None:
    """Print the case (or, given a certificate number, the licence) exactly as it stood after a
    version, with every event: who, when, as what."""
    application, _ = read_side(Settings())
    auditor = Principal("cli-auditor", frozenset({Role.AUDITOR}), "000000", "000000")
    try:
        if not is_case_no(case_no):
            licence = application.licence_as_of(auditor, case_no, as_of_version)
            print_licence(application, licence, console)
            return
        case = application.case_as_of(auditor, case_no, as_of_version)
    except DomainError as e:
        console.print(f"[red]{e.code.value}[/]: {e.message}")
        raise typer.Exit(2) from None
    print_history(application, case, console)
    print_deadlines(application.deadlines(case), console)
