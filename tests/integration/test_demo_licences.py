"""The demo's licences tell each after-grant story through the real commands (both engines)."""

from __future__ import annotations

import datetime as dt

from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.demo_licences import seed_demo_licences
from xuke.domain.licence import LicenceStatus
from xuke.domain.stages import HearingStatus

D = dt.date


def test_the_demo_licences(app: LicensingApplication, clock: SettableClock) -> None:
    seeded = seed_demo_licences(app, clock)
    renewed, deemed, near, revoked, cancelled = (
        app.get_licence(seeded[story])
        for story in ("renewed", "deemed_renewed", "near_expiry", "revoked", "cancelled")
    )
    # TZSB: 4 years; a renewal runs from validTo + 1 for the item's term (Law 50).
    assert (renewed.status, renewed.valid_from, renewed.valid_to) == (
        LicenceStatus.VALID, D(2026, 11, 14), D(2030, 11, 13),
    )  # fmt: skip
    assert deemed.deemed_renewed and deemed.valid_to == D(2030, 10, 30)
    assert (near.status, near.valid_to) == (LicenceStatus.VALID, D(2027, 1, 15))
    assert revoked.status is LicenceStatus.REVOKED
    assert cancelled.status is LicenceStatus.CANCELLED
    hearing = app.get_case(seeded["hearing_case"]).hearing
    assert hearing is not None and hearing.status is HearingStatus.REQUESTED
