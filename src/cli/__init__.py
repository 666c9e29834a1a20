"""The ``xuke`` command line (docs/operations.md).

This module is the whole command surface at a glance: the root app, its top-level commands and
one sub-app per command group, each group in a module of its own. The order of registration is
the order ``xuke --help`` lists them in.
"""

from __future__ import annotations

import typer

from xuke.bootstrap import tune_gc
from xuke.cli import audit, calendar, documents, exchange, projections, serve, supervision

app = typer.Typer(
    help="xuke (许可): administrative licensing case management.", no_args_is_help=True
)


@app.callback()
def main(ctx: typer.Context) -> None:
    """xuke (许可): administrative licensing case management."""
    tune_gc(throughput=ctx.invoked_subcommand != "serve")  # the server answers requests


app.command("migrate")(serve.migrate_command)
app.command("demo")(serve.demo_command)
app.command("serve")(serve.serve_command)
app.command("token")(serve.token_command)
app.command("schema")(serve.schema_command)
app.add_typer(calendar.app, name="calendar")
app.add_typer(projections.app, name="projections")
app.add_typer(audit.app, name="audit")
app.add_typer(supervision.app, name="supervision")
app.add_typer(documents.app, name="documents")
app.add_typer(exchange.app, name="exchange")
