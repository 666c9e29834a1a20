"""The ``xuke`` command line (DESIGN §8)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from xuke.application.calendar_seed import parse_year_file
from xuke.application.clock import SettableClock
from xuke.application.principal import Principal
from xuke.bootstrap import build_application, migrate
from xuke.demo import demo_start, run_demo
from xuke.domain.errors import DomainError
from xuke.domain.roles import Role
from xuke.settings import Settings

app = typer.Typer(
    help="xuke (许可): administrative licensing case management.", no_args_is_help=True
)
calendar_app = typer.Typer(help="The working-day calendar (节假日安排).", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
console = Console(width=150)


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade every table once, and seed the calendar."""
    settings = Settings()
    migrate(settings).close()
    console.print(f"migrated {settings.resolved_database_url.split('@')[-1]}")


@app.command("demo")
def demo_command() -> None:
    """File a realistic case and walk it through to service, printing history and deadlines."""
    settings = Settings()
    if settings.is_sqlite:
        migrate(settings).close()
    clock = SettableClock(demo_start())
    application = build_application(settings, clock=clock)
    try:
        run_demo(application, clock, console)
    finally:
        application.close()


@calendar_app.command("load")
def calendar_load(
    year: int,
    file: Path,
    user: str = typer.Option("admin", help="The ADMIN user recorded as having loaded it."),
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


if __name__ == "__main__":  # pragma: no cover
    app()
