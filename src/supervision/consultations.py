"""The watcher's part of the question board: a question still OPEN after its answer date
raises a YELLOW CONSULTATION_LATE card to the authority it was routed to (once: the card's id
follows from the question; a late answer raises the same card if the watcher was not first).

The date is counted again with the calendar in force (a year loaded since the question was
asked moves it). While it rests on an estimated year, no card is raised until even the latest
plausible reading of that year has passed (Law 82 as docs/legal-rules.md reads it: nothing is decided
on an estimate)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from xuke.application.consultation import ConsultationCommands
from xuke.application.licensing import LicensingApplication
from xuke.domain.supervision import CardCause, SupervisionCard
from xuke.projections.consultations import open_consultations_past
from xuke.projections.store import ViewStore
from xuke.projections.supervision import card_issued


def late_consultation_cards(
    app: LicensingApplication, views: ViewStore, today: dt.date
) -> list[str]:
    """The cards this pass issued, as the watcher reports them (``YELLOW:ZX-…:CAUSE``)."""
    commands, issued = ConsultationCommands(app), []
    cause = CardCause.CONSULTATION_LATE
    for row in open_consultations_past(views, today):
        reference = f"ZX-{row['consultation_id']}"
        if card_issued(views, SupervisionCard.id_for(reference, cause, "CONSULTATION")):
            continue
        consultation = commands.get(UUID(row["consultation_id"]))
        if consultation is None:
            continue
        due = commands.surely_late(consultation, today)
        if due is not None and commands.late_card(consultation, due.date):
            issued.append(f"{cause.colour.value}:{reference}:{cause.value}")
    return issued
