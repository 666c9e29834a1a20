"""What every command group shares: the console it prints to, and the read side it opens."""

from __future__ import annotations

from rich.console import Console

from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application
from xuke.projections.store import ViewStore
from xuke.settings import Settings

console = Console(width=150)


def read_side(settings: Settings) -> tuple[LicensingApplication, ViewStore]:
    """The application and the projections' views, for commands that read both."""
    return build_application(settings), ViewStore(settings.resolved_database_url)
