"""A multi-host URL (docs/operations.md, high availability) reaches every connection whole:
eventsourcing's pool, the views' pool, LISTEN, the database watch and yoyo's migrations."""

from __future__ import annotations

from yoyo.connections import parse_uri

from xuke.bootstrap import LIBPQ_OPTIONS, eventsourcing_env, postgres_dsn
from xuke.projections.store import postgres_conninfo, yoyo_postgres_url
from xuke.settings import Settings

MULTI = "postgresql://xuke:s%40cret@db1:5432,db2:5433/licensing?target_session_attrs=read-write&schema=gd"


def test_a_multi_host_url_gives_eventsourcing_every_host_and_the_session_attribute() -> None:
    env = eventsourcing_env(MULTI)
    assert env["POSTGRES_HOST"] == "db1,db2" and env["POSTGRES_PORT"] == "5432,5433"
    assert env["POSTGRES_USER"] == "xuke" and env["POSTGRES_PASSWORD"] == "s@cret"
    assert env["POSTGRES_DBNAME"] == "licensing" and env["POSTGRES_SCHEMA"] == "gd"
    assert env[LIBPQ_OPTIONS] == "target_session_attrs=read-write connect_timeout=3"
    assert env["PERSISTENCE_MODULE"] == "xuke.bootstrap:LibpqOptionsFactory"


def test_a_single_host_url_keeps_its_defaults() -> None:
    env = eventsourcing_env("postgresql://127.0.0.1/xuke")
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_USER"]) == (
        "127.0.0.1", "5432", "postgres",
    )  # fmt: skip
    assert env["POSTGRES_DBNAME"] == "xuke" and env[LIBPQ_OPTIONS] == "connect_timeout=3"


def test_only_our_schema_option_is_taken_out_of_the_url_libpq_sees() -> None:
    assert postgres_conninfo(MULTI) == (
        "postgresql://xuke:s%40cret@db1:5432,db2:5433/licensing?target_session_attrs=read-write"
    )
    assert postgres_dsn("postgresql://u@h:1/db?schema=x") == "postgresql://u@h:1/db"


def test_yoyo_gets_the_hosts_in_its_query_and_passes_them_to_libpq() -> None:
    uri = parse_uri(yoyo_postgres_url(MULTI))
    assert uri.hostname is None and uri.port is None and uri.database == "licensing"
    assert uri.args["host"] == "db1,db2" and uri.args["port"] == "5432,5433"
    assert uri.args["target_session_attrs"] == "read-write" and uri.args["schema"] == "gd"
    assert yoyo_postgres_url("postgresql://u@h:1/db?schema=x") == (
        "postgresql+psycopg://u@h:1/db?schema=x"
    )


def test_a_replica_is_a_database_other_than_the_primary() -> None:
    primary = "postgresql://u@db1/xuke"
    assert not Settings(database_url=primary).has_replica
    assert not Settings(database_url=primary, read_database_url=primary).has_replica
    assert Settings(database_url=primary, read_database_url="postgresql://u@db2/xuke").has_replica
    assert not Settings(read_database_url="postgresql://u@db2/xuke").has_replica  # SQLite
