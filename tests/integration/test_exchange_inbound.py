"""The inbound exchange store, its national views, and the offline ferry's bundles: exactly
once, continuity, and every refusal leaving nothing behind — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql

from tests.conftest import postgres_base_url
from tests.integration.exchange_support import as_events, case_events, counts, numbered, publish
from xuke.application.exchange_keys import (
    KEY_FILE,
    instance_key,
    parse_public_key,
    parse_trusted_keys,
    public_key_text,
)
from xuke.bootstrap import ensure_postgres_schema, postgres_dsn
from xuke.federation import ferry
from xuke.federation.ferry import BundleRefused, export_bundle, import_bundle, write_bundle
from xuke.federation.follower import default_name
from xuke.projections.national import (
    FERRY,
    FOLLOW,
    InboundRefused,
    inbound_sources,
    national_register_page,
    province_compliance,
    record_failure,
    record_page,
)
from xuke.projections.store import ViewStore, apply_migrations

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(province, national) read-model URLs, migrated, on the same engine."""
    if request.param == "sqlite":
        urls = (f"sqlite:///{tmp_path / 'province.sqlite'}",
                f"sqlite:///{tmp_path / 'national.sqlite'}")  # fmt: skip
        schemas: list[str] = []
    else:
        base = postgres_base_url()
        schemas = [f"t_{uuid.uuid4().hex[:16]}" for _ in range(2)]
        urls = (f"{base}?schema={schemas[0]}", f"{base}?schema={schemas[1]}")
    for url in urls:
        if schemas:
            ensure_postgres_schema(url)
        apply_migrations(url)
    yield urls
    if schemas:
        with psycopg.connect(postgres_dsn(postgres_base_url()), autocommit=True) as conn:
            for schema in schemas:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )


@pytest.fixture
def stores(two_databases: tuple[str, str]) -> Iterator[tuple[ViewStore, ViewStore]]:
    province, national = ViewStore(two_databases[0]), ViewStore(two_databases[1])
    yield province, national
    province.close()
    national.close()


# --- the inbound store and the national views -------------------------------------------


def test_a_page_received_twice_is_applied_once(stores: tuple[ViewStore, ViewStore]) -> None:
    _, national = stores
    page = as_events(numbered(case_events(1) + case_events(2)))
    assert record_page(national, "gd", FOLLOW, page, url="http://gd") == 8
    assert record_page(national, "gd", FOLLOW, page, url="http://gd") == 0
    assert record_page(national, "gd", FOLLOW, page[5:]) == 0
    assert counts(national) == (8, 2, 2, 8)
    [source] = inbound_sources(national)
    assert (source["kind"], source["last_position"], source["events"]) == (FOLLOW, 8, 8)


def test_the_national_views_show_each_province(stores: tuple[ViewStore, ViewStore]) -> None:
    _, national = stores
    gd = case_events(1, "440300") + case_events(2, "440300", decided_late=True)
    # Jiangsu: one granted on time, one accepted whose decision is overdue, one still open
    # and not yet due, and one accepted then withdrawn.
    js = case_events(3, "320100")
    overdue, not_due, closed = (case_events(n, "320100")[:2] for n in (4, 5, 6))
    not_due[1]["payload"]["decisionDue"] = "2026-12-15"
    closed.append({**closed[0], "id": "x:9:CaseClosed", "type": "CaseClosed",
                   "payload": {"schemaVersion": 1, "itemCode": "GYCP",
                               "closedOn": "2026-10-01", "reason": "WITHDRAWN"}})  # fmt: skip
    revoked = {**js[3], "id": "y:1:LicenceRevoked", "type": "LicenceRevoked",
               "caseNo": None, "payload": {"schemaVersion": 1, "itemCode": "GYCP",
                                           "on": "2026-11-01", "ground": "69(1)"}}  # fmt: skip
    record_page(national, "gd", FOLLOW, as_events(numbered(gd)))
    record_page(
        national, "js", FOLLOW, as_events(numbered(js + overdue + not_due + closed + [revoked]))
    )

    register = national_register_page(national, "000000", None, 10, None)
    by_no = {r["certificate_no"]: r for r in register.items}
    assert register.total_count == 3
    assert by_no["XK320100-GYCP-2026-000003"]["status"] == "REVOKED"
    assert by_no["XK440300-GYCP-2026-000001"]["province"] == "440000"
    assert by_no["XK440300-GYCP-2026-000001"]["holder_name"] == "深圳某某有限公司1"
    assert national_register_page(national, "000000", "320000", 10, None).total_count == 1
    assert national_register_page(national, "440000", None, 10, None).total_count == 2

    compliance = {p["province"]: p for p in province_compliance(national, "000000", TODAY)}
    assert compliance["440000"] == {
        "province": "440000", "cases": 2, "open_accepted": 0, "overdue": 0,
        "decided_on_time": 1, "decided_late": 1, "compliance_rate": 0.5,
    }  # fmt: skip
    assert compliance["320000"] == {
        "province": "320000", "cases": 4, "open_accepted": 2, "overdue": 1,
        "decided_on_time": 1, "decided_late": 0, "compliance_rate": 1.0,
    }  # fmt: skip
    assert [p["province"] for p in province_compliance(national, "320100", TODAY)] == ["320000"]

    # Later pages change licences granted earlier: renewed, then withdrawn and cancelled.
    later = [
        {**gd[3], "id": "z:1:LicenceRenewed", "type": "LicenceRenewed", "caseNo": None,
         "payload": {"schemaVersion": 1, "itemCode": "GYCP", "validUntil": "2036-10-19",
                     "on": "2031-09-01"}},
        {**gd[7], "id": "z:2:LicenceWithdrawn", "type": "LicenceWithdrawn", "caseNo": None,
         "payload": {"schemaVersion": 1, "itemCode": "GYCP", "on": "2027-01-05",
                     "ground": "8"}},
    ]  # fmt: skip
    record_page(national, "gd", FOLLOW, as_events(numbered(later, start=9)))
    cancelled = {**later[1], "id": "z:3:LicenceCancelled", "type": "LicenceCancelled"}
    record_page(national, "gd", FOLLOW, as_events(numbered([cancelled], start=11)))
    rows = national_register_page(national, "440000", None, 10, None).items
    assert [(r["status"], r["valid_until"], r["updated_position"]) for r in rows] == [
        ("VALID", "2036-10-19", 9), ("CANCELLED", "2031-10-19", 11),
    ]  # fmt: skip


def _register_row(store: ViewStore, certificate_no: str) -> dict[str, object]:
    row = store.fetchone(
        "SELECT status, valid_until, province FROM national_register WHERE certificate_no = %s",
        (certificate_no,),
    )
    assert row is not None
    return dict(row)


def test_a_source_cannot_change_another_provinces_licence(
    stores: tuple[ViewStore, ViewStore],
) -> None:
    _, national = stores
    gd = case_events(1, "440300")
    record_page(national, "gd", FOLLOW, as_events(numbered(gd)))
    # A Beijing event naming a Guangdong certificate: neither a change nor a grant lands.
    foreign = [
        {**gd[3], "id": "bj:1:LicenceRevoked", "type": "LicenceRevoked", "caseNo": None,
         "jurisdictionCode": "110000",
         "payload": {"schemaVersion": 1, "itemCode": "GYCP", "on": "2026-11-01",
                     "ground": "69(1)"}},
        {**gd[3], "id": "bj:2:LicenceGranted", "jurisdictionCode": "110000", "caseNo": None,
         "payload": {**gd[3]["payload"], "holderName": "北京某某", "validUntil": "2040-01-01"}},
    ]  # fmt: skip
    record_page(national, "bj", FOLLOW, as_events(numbered(foreign)))
    assert _register_row(national, gd[3]["certificateNo"]) == {
        "status": "VALID", "valid_until": "2031-10-19", "province": "440000",
    }  # fmt: skip


def test_events_outside_a_sources_jurisdiction_are_skipped_and_noted(
    stores: tuple[ViewStore, ViewStore],
) -> None:
    _, national = stores
    gd, bj = case_events(1, "440300"), case_events(2, "110100")
    record_page(national, "bj", FOLLOW, as_events(numbered(bj)))
    # "gd" learns 440000 from its first event; a Beijing licence in its feed is refused.
    page = as_events(numbered([*gd, *bj, case_events(3, "440100")[0]]))
    record_page(national, "gd", FOLLOW, page[:4])
    revoke = {**bj[3], "id": "gd:bj:LicenceRevoked", "type": "LicenceRevoked", "caseNo": None,
              "payload": {"schemaVersion": 1, "itemCode": "GYCP", "on": "2026-11-01",
                          "ground": "69(1)"}}  # fmt: skip
    assert record_page(national, "gd", FOLLOW, as_events(numbered([revoke, *gd[:1]], 5))) == 1
    assert _register_row(national, bj[3]["certificateNo"])["status"] == "VALID"
    sources = {s["source"]: s for s in inbound_sources(national)}
    assert (sources["gd"]["jurisdiction"], sources["gd"]["last_position"]) == ("440000", 6)
    assert "110100" in sources["gd"]["last_error"] and sources["bj"]["jurisdiction"] == "110000"
    # A first page of several provinces (a national instance exporting): the whole country.
    record_page(national, "ed25519:all", FERRY, as_events(numbered([*gd, *bj])))
    assert {s["source"]: s for s in inbound_sources(national)}["ed25519:all"]["jurisdiction"] == (
        "000000"
    )
    assert record_page(national, "gd", FOLLOW, page[8:], jurisdiction="440000") == 1  # the same
    with pytest.raises(InboundRefused, match="440000"):
        record_page(national, "gd", FOLLOW, page[8:], jurisdiction="110000")
    # Given explicitly, a source keeps it: a city's instance may speak only for its city.
    city = case_events(4, "440300")
    assert record_page(national, "sz", FOLLOW, as_events(numbered(city)), jurisdiction="440300")
    other_city = as_events(numbered(case_events(5, "440100"), 5))
    assert record_page(national, "sz", FOLLOW, other_city) == 0
    assert national.count("national_cases", "case_no LIKE %s", ("440100-2026-GYCP-000005",)) == 0


def test_a_revoked_licence_granted_again_by_a_second_route_stays_revoked(
    stores: tuple[ViewStore, ViewStore],
) -> None:
    _, national = stores
    gd = case_events(1, "440300")
    revoked = {**gd[3], "id": "gd:5:LicenceRevoked", "type": "LicenceRevoked", "caseNo": None,
               "payload": {"schemaVersion": 1, "itemCode": "GYCP", "on": "2026-11-01",
                           "ground": "69(1)"}}  # fmt: skip
    record_page(national, "gd-follow", FOLLOW, as_events(numbered([*gd, revoked])))
    # The same grant by the ferry, later; and a grant re-delivered with an earlier term.
    record_page(national, "gd-ferry", FERRY, as_events(numbered(gd)))
    row = _register_row(national, gd[3]["certificateNo"])
    assert (row["status"], row["valid_until"]) == ("REVOKED", "2031-10-19")
    earlier = {**gd[3], "id": "gd:x", "payload": {**gd[3]["payload"], "validUntil": "2030-01-01"}}
    record_page(national, "gd-ferry", FERRY, as_events(numbered([earlier], start=5)))
    row = _register_row(national, gd[3]["certificateNo"])
    assert (row["status"], row["valid_until"]) == ("REVOKED", "2031-10-19")


def test_two_instances_behind_one_host_keep_their_own_positions() -> None:
    gd, js = default_name("https://GW.example:8443/gd/"), default_name("https://gw.example:8443/js")
    assert (gd, js) == ("gw.example:8443/gd", "gw.example:8443/js")
    assert default_name("https://gw.example:8443//gd") == gd
    assert default_name("https://gd.example/") == "gd.example"


def test_a_followed_feed_may_skip_positions_but_never_goes_back(
    stores: tuple[ViewStore, ViewStore],
) -> None:
    _, national = stores
    events = as_events(numbered(case_events(1)))
    assert record_page(national, "gd", FOLLOW, [events[0], events[2]]) == 2
    assert record_page(national, "gd", FOLLOW, [events[1], events[3]]) == 1  # 2 is behind
    with pytest.raises(InboundRefused, match="严格递增"):
        record_page(national, "gd", FOLLOW, [events[3], events[3]])
    with pytest.raises(InboundRefused, match="FOLLOW"):
        record_page(national, "gd", FERRY, events)
    assert counts(national) == (3, 1, 1, 4)


def test_a_failure_is_noted_until_the_next_contact(stores: tuple[ViewStore, ViewStore]) -> None:
    _, national = stores
    record_failure(national, "gd", FOLLOW, "http://gd", "ConnectError: refused")
    [source] = inbound_sources(national)
    assert (source["last_error"], source["last_position"]) == ("ConnectError: refused", 0)
    record_page(national, "gd", FOLLOW, as_events(numbered(case_events(1))))
    [source] = inbound_sources(national)
    assert source["last_error"] is None and source["last_contact"] is not None


# --- the instance key ------------------------------------------------------------------


def test_the_instance_key_is_created_once_and_kept(
    stores: tuple[ViewStore, ViewStore], tmp_path: Path
) -> None:
    province, _ = stores
    first = instance_key(province.is_sqlite, tmp_path, province)
    again = instance_key(province.is_sqlite, tmp_path, province)
    text = public_key_text(first.public_key())
    assert text == public_key_text(again.public_key()) and text.startswith("ed25519:")
    assert public_key_text(parse_public_key(text)) == text
    if province.is_sqlite:
        assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    else:
        assert not (tmp_path / KEY_FILE).exists()
        assert province.count("exchange_instance_key", "1 = 1") == 1


def test_trusted_keys_are_read_as_key_prints_them() -> None:
    a, b = (public_key_text(Ed25519PrivateKey.generate().public_key()) for _ in range(2))
    assert set(parse_trusted_keys(f" {a},{b} ,")) == {a, b}
    with pytest.raises(ValueError, match="ed25519:"):
        parse_trusted_keys("rsa:abc")
    with pytest.raises(ValueError, match="公钥无效"):
        parse_trusted_keys("ed25519:AAAA")


# --- the ferry -------------------------------------------------------------------------

KEY = Ed25519PrivateKey.generate()
TRUSTED = {public_key_text(KEY.public_key()): KEY.public_key()}
SOURCE = public_key_text(KEY.public_key())


@pytest.fixture
def province(stores: tuple[ViewStore, ViewStore]) -> ViewStore:
    """A province that has published three cases (12 events)."""
    store = stores[0]
    publish(store, numbered([e for n in (1, 2, 3) for e in case_events(n)]))
    return store


def test_a_bundle_is_imported_exactly_once(
    province: ViewStore, stores: tuple[ViewStore, ViewStore], tmp_path: Path
) -> None:
    national, out = stores[1], tmp_path / "day1.xkb"
    manifest = export_bundle(province, KEY, 0, out)
    assert (manifest["firstPosition"], manifest["lastPosition"], manifest["count"]) == (1, 12, 12)
    assert manifest["countsByType"]["LicenceGranted"] == 3
    assert import_bundle(national, out, TRUSTED)[1] == 12
    assert import_bundle(national, out, TRUSTED)[1] == 0  # re-import: no-op
    assert counts(national) == (12, 3, 3, 12)
    [source] = inbound_sources(national)
    assert (source["source"], source["kind"]) == (SOURCE, FERRY)


def test_the_next_bundle_continues_and_an_overlapping_one_adds_only_the_rest(
    province: ViewStore, stores: tuple[ViewStore, ViewStore], tmp_path: Path
) -> None:
    national = stores[1]
    export_bundle(province, KEY, 0, tmp_path / "a", upto=5)
    export_bundle(province, KEY, 5, tmp_path / "b", upto=8)
    export_bundle(province, KEY, 3, tmp_path / "c")  # 4..12, overlapping 4..8
    assert [import_bundle(national, tmp_path / f, TRUSTED)[1] for f in "abc"] == [5, 3, 4]
    assert counts(national) == (12, 3, 3, 12)
    empty = export_bundle(province, KEY, 12, tmp_path / "d")
    assert (empty["count"], empty["firstPosition"]) == (0, None)
    assert import_bundle(national, tmp_path / "d", TRUSTED)[1] == 0


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _tamper_event(path: Path) -> None:
    lines = _lines(path)
    lines[-1] = lines[-1].replace("有限公司3".encode(), "有限公司4".encode())  # the last one
    path.write_bytes(b"".join(lines))


def _tamper_manifest(path: Path) -> None:
    lines = _lines(path)
    lines[0] = lines[0].replace(b'"count":12', b'"count":11')
    path.write_bytes(b"".join(lines))


def _drop_last_lines(path: Path) -> None:
    path.write_bytes(b"".join(_lines(path)[:-2]))


def _cut_mid_line(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-20])


def _swap_signed(path: Path) -> None:
    objects = numbered([e for n in (1, 2, 3) for e in case_events(n)])
    objects[4], objects[5] = objects[5], objects[4]
    write_bundle(KEY, 0, objects, path)


def _gap_signed(path: Path) -> None:
    objects = numbered([e for n in (1, 2, 3) for e in case_events(n)])
    write_bundle(KEY, 0, objects[:4] + objects[6:], path)


def _foreign(path: Path) -> None:
    objects = numbered([e for n in (1, 2, 3) for e in case_events(n)])
    write_bundle(Ed25519PrivateKey.generate(), 0, objects, path)


def _not_a_bundle(path: Path) -> None:
    path.write_bytes(b"position,type\n1,CaseFiled\n")


REFUSALS = {
    "tampered event": (_tamper_event, "哈希链"),
    "tampered manifest": (_tamper_manifest, "签名无效"),
    "truncated": (_drop_last_lines, "不完整"),
    "cut mid-line": (_cut_mid_line, "截断"),
    "out of order": (_swap_signed, "顺序错乱"),
    "gap inside": (_gap_signed, "不连续"),
    "foreign key": (_foreign, "不受信任"),
    "not a bundle": (_not_a_bundle, "不是交换数据包"),
}


@pytest.mark.parametrize("damage", REFUSALS, ids=list(REFUSALS))
def test_a_damaged_or_foreign_bundle_is_refused_and_nothing_applied(
    damage: str, province: ViewStore, stores: tuple[ViewStore, ViewStore], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    national, out = stores[1], tmp_path / "bundle.xkb"
    monkeypatch.setattr(ferry, "IMPORT_CHUNK", 2)  # faults found after chunks were written
    export_bundle(province, KEY, 0, out)
    spoil, message = REFUSALS[damage]
    spoil(out)
    before = counts(national)
    with pytest.raises(BundleRefused, match=message):
        ferry.verify_bundle(out, TRUSTED)
    with pytest.raises(BundleRefused, match=message):
        import_bundle(national, out, TRUSTED)
    assert counts(national) == before == (0, 0, 0, 0)


def test_a_bundle_leaving_a_gap_is_refused(
    province: ViewStore, stores: tuple[ViewStore, ViewStore], tmp_path: Path
) -> None:
    national = stores[1]
    export_bundle(province, KEY, 0, tmp_path / "a", upto=4)
    export_bundle(province, KEY, 8, tmp_path / "c")
    import_bundle(national, tmp_path / "a", TRUSTED)
    with pytest.raises(BundleRefused, match=r"不连续.*已导入至位置 4.*缺少 4 个事件"):
        import_bundle(national, tmp_path / "c", TRUSTED)
    assert counts(national) == (4, 1, 1, 4)


def test_an_overlapping_bundle_that_disagrees_is_refused(
    province: ViewStore, stores: tuple[ViewStore, ViewStore], tmp_path: Path
) -> None:
    national = stores[1]
    export_bundle(province, KEY, 0, tmp_path / "a", upto=4)
    import_bundle(national, tmp_path / "a", TRUSTED)
    other = numbered([e for n in (7, 8) for e in case_events(n)])  # other events, same positions
    write_bundle(KEY, 0, other, tmp_path / "b")
    with pytest.raises(BundleRefused, match="位置 1 的事件与此前从同一来源导入的不同"):
        import_bundle(national, tmp_path / "b", TRUSTED)
    assert counts(national) == (4, 1, 1, 4)


def test_a_missing_file_is_refused_in_chinese(
    stores: tuple[ViewStore, ViewStore], tmp_path: Path
) -> None:
    with pytest.raises(BundleRefused, match="无法读取数据包"):
        import_bundle(stores[1], tmp_path / "none.xkb", TRUSTED)
