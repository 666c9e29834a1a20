"""The ferry as an operator runs it: `xuke exchange key`, `export`, `import` (refusals with
a Chinese message and exit status 1, nothing applied) and `status`, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from tests.integration.exchange_support import case_events, numbered, publish
from xuke.application.exchange_keys import public_key_text
from xuke.cli import app as cli
from xuke.projections.store import ViewStore

runner = CliRunner()
OTHER = public_key_text(Ed25519PrivateKey.generate().public_key())  # another instance


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"XUKE_DATABASE_URL": database_url, "XUKE_DATA_DIR": str(tmp_path / "data"),
           "XUKE_SECRET_KEY": "cli-test", "XUKE_EXCHANGE_TRUSTED_KEYS": ""}  # fmt: skip
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    store = ViewStore(database_url)
    publish(store, numbered(case_events(1, "440300") + case_events(2, "320100")))
    store.close()
    return env


def xuke(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = runner.invoke(cli, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_export_then_import_once_with_the_exporters_key_trusted(
    env: dict[str, str], tmp_path: Path
) -> None:
    key = xuke(env, "exchange", "key").strip()
    assert key.startswith("ed25519:") and xuke(env, "exchange", "key").strip() == key
    bundle = tmp_path / "day1.xkb"
    assert "8 events, positions 1–8" in xuke(
        env, "exchange", "export", "--after", "0", "--out", str(bundle)
    )

    refused = xuke(env, "exchange", "import", str(bundle), code=1)
    assert "拒绝导入" in refused and "不受信任" in refused
    trusted = {
        **env,
        "XUKE_EXCHANGE_TRUSTED_KEYS": f"{OTHER},{key}",
    }
    assert "verified: 0 new of 8" in xuke(trusted, "exchange", "import", "--check", str(bundle))
    assert "No inbound sources." in xuke(env, "exchange", "status")
    assert "imported: 8 new of 8" in xuke(trusted, "exchange", "import", str(bundle))
    assert "already imported (no-op): 0 new of 8" in xuke(
        trusted, "exchange", "import", str(bundle)
    )

    status = xuke(env, "exchange", "status")
    assert f"{key} (FERRY): position 8, 8 events" in status
    assert "440000: 1 cases, 0 open accepted, 0 overdue" in status
    assert "320000: 1 cases" in status

    lines = bundle.read_bytes().splitlines(keepends=True)
    bundle.write_bytes(b"".join(lines[:-1]))  # the last event lost on the way
    refused = xuke(trusted, "exchange", "import", str(bundle), code=1)
    assert "数据包不完整" in refused
    assert f"{key} (FERRY): position 8, 8 events" in xuke(env, "exchange", "status")


def test_a_malformed_trusted_key_setting_is_named(env: dict[str, str], tmp_path: Path) -> None:
    bad = {**env, "XUKE_EXCHANGE_TRUSTED_KEYS": "ssh-ed25519 AAAA"}
    assert "XUKE_EXCHANGE_TRUSTED_KEYS 有误" in xuke(
        bad, "exchange", "import", str(tmp_path / "x"), code=2
    )
