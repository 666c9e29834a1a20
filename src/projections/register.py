"""licence_register: granted licences, public under Art. 40 (公示) — searchable by holder and
item. A person's name is masked; only enterprises show a credit code."""

from __future__ import annotations

import functools
from typing import Any

from xuke.domain.case import LicenseCase
from xuke.projections.base import Before, CaseProjection
from xuke.projections.paging import Page, page_by_key
from xuke.projections.store import Row, Transaction, ViewStore
from xuke.projections.writes import KeptSums, Upserts, iso

COLUMNS = (
    "certificate_no", "item_code", "item_name", "holder_name", "holder_credit_code",
    "jurisdiction_code", "decided_on", "valid_from", "valid_to", "case_no",
)  # fmt: skip


class LicenceRegisterProjection(CaseProjection):
    name = "licence_register"
    awaited = False  # auditors and the public read it moments later
    tables = ("licence_register", "licence_register_counts")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = Upserts(self.table("licence_register"), COLUMNS, ("certificate_no",))
        self.counts = KeptSums(  # licences per item: the page's total without a COUNT(*)
            self.table("licence_register_counts"), self.rows, ("item_code",), ("n",),
            lambda row: (1,), ("item_code",),
        )  # fmt: skip

    def on_case_event(
        self,
        tx: Transaction,
        event: LicenseCase.Event,
        before: Before | None,
        after: LicenseCase,
    ) -> None:
        if not isinstance(event, LicenseCase.CertificateIssued):
            return
        assert after.certificate_no and after.valid_from and after.decided_on
        self.rows.put(
            {
                "certificate_no": after.certificate_no,
                "item_code": after.item_code,
                "item_name": after.item_name,
                "holder_name": after.applicant.public_name,
                "holder_credit_code": after.applicant.credit_code,
                "jurisdiction_code": after.jurisdiction_code,
                "decided_on": iso(after.decided_on),
                "valid_from": iso(after.valid_from),
                "valid_to": iso(after.valid_to),
                "case_no": after.case_no,
            }
        )

    def flush(self, tx: Transaction) -> None:
        self.counts.flush(tx)
        self.rows.flush(tx)


# ---------------------------------------------------------------- what the API asks of this view


def licence_register_page(
    store: ViewStore,
    search: str | None = None,
    item_code: str | None = None,
    first: int = 20,
    after: str | None = None,
) -> Page[Row]:
    """公示: granted licences, by holder name (substring) and item."""
    where, params = ["1 = 1"], []
    if search:
        where.append("(holder_name LIKE %s OR certificate_no = %s OR holder_credit_code = %s)")
        params += [f"%{search.strip()}%", search.strip(), search.strip()]
    if item_code:
        where.append("item_code = %s")
        params.append(item_code)
    kept = None if search else functools.partial(licences_granted, item_code=item_code)
    return page_by_key(
        store, "licence_register", "certificate_no", " AND ".join(where), params, first, after,
        total=kept,
    )  # fmt: skip


def licences_granted(store: ViewStore, item_code: str | None = None) -> int:
    """From the counts the register projection keeps (a search still counts its matches)."""
    where, params = ("item_code = %s", [item_code]) if item_code else ("1 = 1", [])
    row = store.fetchone(f"SELECT SUM(n) AS n FROM licence_register_counts WHERE {where}", params)
    return int(row["n"] or 0) if row else 0
