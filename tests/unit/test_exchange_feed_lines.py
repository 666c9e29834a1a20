"""What the follower accepts from a feed page, and what the national level counts a province."""

from __future__ import annotations

import orjson
import pytest

from xuke.federation.follower import FeedError, default_name, parse_page
from xuke.projections.national import InboundEvent, province_of

LINE = {"position": 7, "id": "u:1:CaseFiled", "type": "CaseFiled",
        "occurredAt": "2026-09-28T09:00:00+08:00", "jurisdictionCode": "440305",
        "caseNo": "440300-2026-GYCP-000001", "certificateNo": None,
        "payload": {"schemaVersion": 1, "itemCode": "GYCP"}}  # fmt: skip


def line(**changes: object) -> bytes:
    return orjson.dumps({**LINE, **changes}) + b"\n"


def test_a_page_is_read_line_by_line_and_round_trips() -> None:
    [event] = parse_page(line() + b"\n")
    assert event.position == 7 and event.to_feed() == LINE
    assert InboundEvent.from_feed(event.to_feed()) == event


def test_a_stream_cut_mid_line_keeps_the_whole_lines_only() -> None:
    events = parse_page(line() + line(position=8)[:30])
    assert [e.position for e in events] == [7]


@pytest.mark.parametrize(
    "bad",
    [
        b"not json\n",
        line(position=0), line(position="7"), line(position=True), line(payload=[]),
        line(type=""), line(id=None), line(caseNo=5), line(jurisdictionCode="44"),
        line(jurisdictionCode="44030X"), orjson.dumps({"position": 1}) + b"\n",
        line(payload={"holderName": "a\u0000b"}),
    ],
)  # fmt: skip
def test_a_line_that_is_not_an_integration_event_spoils_the_page(bad: bytes) -> None:
    with pytest.raises(FeedError, match="第 2 行"):
        parse_page(line() + bad)


def test_provinces_and_source_names() -> None:
    assert province_of("440305") == "440000" and province_of("000000") == "000000"
    assert default_name("https://gd.example:8443/") == "gd.example:8443"
    assert default_name("http://10.0.0.5") == "10.0.0.5"
