"""``xuke calendar``: the working-day calendar (节假日安排), loaded a year at a time from the
State Council's schedule, because every statutory deadline counts working days."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xuke.application.calendar_seed import parse_year_file
from xuke.application.principal import Principal
from xuke.bootstrap import build_application
from xuke.cli.common import console
from xuke.domain.errors import DomainError
from xuke.domain.roles import Role
from xuke.settings import Settings

app = typer.Typer(help="The working-day calendar (节假日安排).", no_args_is_help=True)


@app.command("load")
def calendar_load(
    year: int,
    file: Path,
    user: Annotated[
        str, typer.Option(help="The ADMIN user recorded as having loaded it.")
    ] = "admin",
) -> None:
    """Load YEAR's State Council schedule from a JSON FILE (holidays, workdays, source)."""
    settings = Settings()
    application = build_application(settings)
    admin = Principal(user, frozenset({Role.ADMIN}), "000000", "000000")
    try:
        version = application.load_calendar_year(admin, parse_year_file(year, file))
    except DomainError as e:
        console.print(f"[red]{e.code.value}[/]: {e.message}")
        raise typer.Exit(2) from None
    finally:
        application.close()
    console.print(f"loaded {year}; calendar version {version}")
