"""The command line, as an operator uses it: migrate, load a calendar year, run the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xuke.cli import app as cli

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "XUKE_DATABASE_URL": database_url,
        "XUKE_DATA_DIR": str(tmp_path),
        "XUKE_SECRET_KEY": "cli-test",
    }


def test_migrate_then_load_a_year_file(env: dict[str, str], tmp_path: Path) -> None:
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0  # once or twice: same tables
    year_file = tmp_path / "2027.json"
    year_file.write_text(
        json.dumps(
            {
                "holidays": ["2027-01-01", "2027-02-05"],
                "workdays": ["2027-02-14"],
                "source": "国办发明电〔2026〕X号",
            }
        ),
        "utf-8",
    )
    result = runner.invoke(
        cli, ["calendar", "load", "2027", str(year_file), "--user", "admin-li"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "calendar version 2" in result.output


def test_a_bad_year_file_is_refused_with_a_typed_error(env: dict[str, str], tmp_path: Path) -> None:
    runner.invoke(cli, ["migrate"], env=env)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"holidays": ["2026-12-31"]}), "utf-8")
    result = runner.invoke(cli, ["calendar", "load", "2027", str(bad)], env=env)
    assert result.exit_code == 2 and "VALIDATION" in result.output


def test_the_demo_walks_a_case_to_service_on_the_embedded_default(tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["demo"], env={"XUKE_DATA_DIR": str(tmp_path), "XUKE_DATABASE_URL": ""}
    )
    assert result.exit_code == 0, result.output
    for text in (
        "补正告知",
        "受理",
        "中止计时",
        "准予许可",
        "制证",
        "送达",
        "CLOSED",
        "决定期限",
        # GYCP: 60 working days from 29 Sep 2026 and 14 suspended (13-30 Oct), no
        # extension in its regulation: 74 working days on ⇒ Mon 18 Jan 2027.
        "2027-01-18",
    ):
        assert text in result.output, text
    assert (tmp_path / "xuke.sqlite").exists()


def test_auditors_replay_a_case_in_the_terminal(tmp_path: Path) -> None:
    env = {"XUKE_DATA_DIR": str(tmp_path), "XUKE_DATABASE_URL": ""}
    demo = runner.invoke(cli, ["demo"], env=env)
    assert demo.exit_code == 0
    replay = runner.invoke(
        cli, ["audit", "replay", "440000-2026-GYCP-000001", "--as-of-version", "4"], env=env
    )
    assert replay.exit_code == 0, replay.output
    assert "受理" in replay.output and "邮寄送达" not in replay.output  # as it stood at version 4
    missing = runner.invoke(cli, ["audit", "replay", "440000-2026-GYCP-999999"], env=env)
    assert missing.exit_code == 2 and "NOT_FOUND" in missing.output
    licence = runner.invoke(cli, ["audit", "replay", "XK440000-GYCP-2026-000001"], env=env)
    assert licence.exit_code == 0, licence.output
    assert "颁发许可证" in licence.output or "许可证" in licence.output
    assert "VALID" in licence.output and "2031" in licence.output  # five years' validity


def test_the_supervision_watcher_runs_once(tmp_path: Path) -> None:
    env = {
        "XUKE_DATA_DIR": str(tmp_path),
        "XUKE_DATABASE_URL": "",
        "XUKE_STAGE_LIMITS": '{"HANDLING": 2}',
    }
    assert runner.invoke(cli, ["demo"], env=env).exit_code == 0
    assert runner.invoke(cli, ["projections", "run", "--once"], env=env).exit_code == 0
    watched = runner.invoke(cli, ["supervision", "watch", "--once"], env=env)
    assert watched.exit_code == 0 and "cards" in watched.output


def test_demo_mode_serves_on_loopback_only_unless_told_otherwise(tmp_path: Path) -> None:
    """Demo mode accepts the published development secret: on a public interface anyone
    could mint an ADMIN token, so it refuses to start there without --public-demo."""
    env = {"XUKE_DATA_DIR": str(tmp_path), "XUKE_DATABASE_URL": "", "XUKE_DEMO": "true"}
    refused = runner.invoke(cli, ["serve", "--host", "0.0.0.0"], env=env)
    assert refused.exit_code == 2
    assert "--public-demo" in refused.output and "回环" in refused.output


def test_the_embedded_store_is_the_service_accounts_alone(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "xuke-data"
    env = {"XUKE_DATA_DIR": str(data), "XUKE_DATABASE_URL": ""}
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    assert (data.stat().st_mode & 0o777) == 0o700
    assert ((data / "xuke.sqlite").stat().st_mode & 0o777) == 0o600
