"""``xuke exchange``: information exchange with partner systems and the other levels
(docs/exchange.md): the webhook deliverer, following another instance's feed, and the offline
ferry (export, import, key)."""

from __future__ import annotations

import typer

from xuke.cli import exchange_deliver, exchange_federation

app = typer.Typer(help="Information exchange (信息交换与共享).", no_args_is_help=True)

# Two levels and the offline ferry (docs/exchange-federation.md; cli/exchange_federation.py).
app.command("follow")(exchange_federation.follow_command)
app.command("key")(exchange_federation.key_command)
app.command("export")(exchange_federation.export_command)
app.command("import")(exchange_federation.import_command)
app.command("status")(exchange_federation.status_command)

# Webhooks (docs/exchange.md; cli/exchange_deliver.py).
app.command("deliver")(exchange_deliver.deliver_command)
