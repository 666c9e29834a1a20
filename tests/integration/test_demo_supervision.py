"""The demo data gives the supervisor dashboard something to show: 督办 orders on open cases,
one answered, on cases not yet ended (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.support import project
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.demo_data import seed_demo_cases
from xuke.domain.stages import TERMINAL
from xuke.projections.store import ViewStore


def test_the_demo_data_holds_open_and_answered_orders(
    app: LicensingApplication, views: ViewStore, clock: SettableClock
) -> None:
    seed_demo_cases(app, clock)
    project(app, views)
    orders = views.fetchall("SELECT case_no, status FROM supervision_orders ORDER BY issued_at")
    assert sorted(o["status"] for o in orders) == ["ANSWERED", "OPEN", "OPEN"]
    for order in orders:  # on cases not yet ended
        assert app.get_case(order["case_no"]).status not in TERMINAL
