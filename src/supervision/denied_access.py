"""The denied-access log: every FORBIDDEN attempt is written down, so the supervisors of the
jurisdiction it touched can see who tried what (docs/roles.md). A write failure here is logged,
never allowed to turn a refusal into a 500."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from xuke.application.authorization import Forbidden
from xuke.projections.store import ViewStore

log = logging.getLogger("xuke.supervision")


class DeniedAccessLog:
    def __init__(self, store: ViewStore) -> None:
        self.store = store

    def record(self, refusal: Forbidden) -> None:
        principal = refusal.principal
        case_jurisdiction = refusal.case_no.split("-", 1)[0] if refusal.case_no else None
        log.warning(
            "forbidden",
            extra={
                "user": principal.user_id,
                "action": refusal.action,
                "case_no": refusal.case_no,
                "reason": refusal.message,
            },
        )
        try:
            with self.store.transaction() as tx:
                tx.execute(
                    "INSERT INTO denied_access (id, at, user_id, roles, org_code, jurisdiction_code, action, case_no, "
                    "case_jurisdiction, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        uuid.uuid4().hex, dt.datetime.now(dt.UTC).isoformat(), principal.user_id,
                        ",".join(sorted(principal.roles)), principal.org_code, principal.jurisdiction_code,
                        refusal.action, refusal.case_no, case_jurisdiction, refusal.message[:500],
                    ],
                )  # fmt: skip
        except Exception:
            log.exception("could not record a denied access")

    def recent(self, jurisdiction_prefix: str, limit: int = 50) -> list[dict[str, object]]:
        """The latest refusals that touched cases of a jurisdiction (or, for staff without a
        case, were made by its staff)."""
        like = jurisdiction_prefix + "%"
        return self.store.fetchall(
            "SELECT * FROM denied_access WHERE case_jurisdiction LIKE %s OR (case_jurisdiction IS NULL AND "
            "jurisdiction_code LIKE %s) ORDER BY at DESC LIMIT %s",
            [like, like, limit],
        )
