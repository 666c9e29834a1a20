"""Administration records in the event store, on both backends: ``xuke migrate`` seeds the
catalogue and the tree once; a change stored by one process counts in another at once; a
case filed before item versions existed reads as version 1."""

from __future__ import annotations

from tests.support import file_tzsb, staff
from xuke.application.clock import SettableClock
from xuke.application.licensing import LicensingApplication
from xuke.bootstrap import build_application, migrate
from xuke.domain.administration import CATALOGUE_ID, ORGANISATIONS_ID, OrganisationDraft
from xuke.domain.case import LicenseCase
from xuke.domain.catalogue import AuthorityLevel, default_catalogue
from xuke.domain.roles import Role
from xuke.settings import Settings

ADMIN = staff(Role.ADMIN, org="000000")


def events_of(app: LicensingApplication, aggregate_id: object) -> list[object]:
    return list(app.events.get(aggregate_id))


def test_migrating_twice_seeds_once(app: LicensingApplication, settings: Settings) -> None:
    migrate(settings).close()  # the fixture migrated already: a second time
    assert len(events_of(app, CATALOGUE_ID)) == 1
    assert len(events_of(app, ORGANISATIONS_ID)) == 1
    assert app.seed_administration() == []
    seeded = app.current_catalogue()
    assert [i.code for i in seeded.items] == [i.code for i in default_catalogue().items]
    assert app.current_organisations().find("440305") is not None


def test_a_change_in_one_process_counts_in_another_at_once(
    app: LicensingApplication, settings: Settings, clock: SettableClock
) -> None:
    other = build_application(settings, clock=clock)  # another process's application
    try:
        assert other.current_organisations().find("440200") is None  # cached from now on
        city = OrganisationDraft(
            code="440200", name="韶关市市场监督管理局", level=AuthorityLevel.MUNICIPAL,
            parent="440000", division="440200",
        )  # fmt: skip
        app.administration.define_organisation(ADMIN, city)
        found = other.current_organisations().competent_authority(
            AuthorityLevel.MUNICIPAL, "440203"
        )
        assert found.code == "440200"
    finally:
        other.close()


def test_a_case_filed_before_item_versions_reads_as_version_one(
    app: LicensingApplication,
) -> None:
    case = file_tzsb(app).case
    assert case.item_version == 1
    filed = next(iter(app.events.get(case.id)))
    assert isinstance(filed, LicenseCase.ApplicationFiled)
    stored_before = filed.model_dump()
    del stored_before["item_version"]  # as events stored before the field existed
    assert type(filed).model_validate(stored_before).item_version == 1
