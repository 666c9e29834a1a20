"""联系方式查阅留痕: each time staff are shown an applicant's full phone number and address.

The contact details are personal information (个人信息保护法 art. 28 ff.; the 政务服务 rules
on 数据安全): the case's own staff may read them to do their work, and every read is a fact
of its own. It is recorded as an event in the same event store as the cases — one small
aggregate per read, so concurrent reads never clash with each other or with the case's own
commands — and so it enters the hash-chained audit trail (``projections/audit.py`` links it
to the case by ``case_no``) and ``verify_audit_trail`` covers it. The details are shown only
once the record is stored.
"""

from __future__ import annotations

from typing import Any

from xuke.domain.case_records import CommandContext
from xuke.domain.model import Aggregate

MAX_PURPOSE = 200


class ContactDisclosure(Aggregate):
    case_no: str
    purpose: str

    def __init__(self) -> None:
        """Set by ``ContactDisclosed.apply``."""

    class ContactDisclosed(Aggregate.Created):
        """An applicant's contact details were shown to ``actor`` for ``purpose``."""

        case_no: str
        purpose: str

        def apply(self, agg: Any) -> None:
            agg.case_no, agg.purpose = self.case_no, self.purpose

    @classmethod
    def record(cls, ctx: CommandContext, case_no: str, purpose: str) -> ContactDisclosure:
        agg: ContactDisclosure = cls._create(
            cls.ContactDisclosed, actor=ctx.actor, timestamp=ctx.at, case_no=case_no,
            purpose=purpose.strip()[:MAX_PURPOSE],
        )  # fmt: skip
        return agg
