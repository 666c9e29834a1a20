"""One settings object, read from ``XUKE_*`` environment variables (docs/operations.md lists them)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "xuke-development-secret-not-for-production-use"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XUKE_", extra="ignore")

    data_dir: Path = Path("./xuke-data")
    database_url: str = ""  # sqlite:///path or postgresql://user:pass@host:port/db?schema=name
    secret_key: str = DEVELOPMENT_SECRET  # keys the query codes (查询码)
    # Base64 AES key (16, 24 or 32 bytes): encrypts every stored event at rest, so personal
    # data (ID numbers, phones, addresses) never sits in the database in clear. Keep it safe:
    # without it the history cannot be read.
    cipher_key: str = ""
    jwt_secret: str = DEVELOPMENT_SECRET  # HS256 development tokens (xuke token …)
    jwks_url: str = ""  # or an OIDC provider's keys
    demo: bool | None = None  # default: on for SQLite only
    yellow_days_left: int = Field(2, ge=0)
    yellow_fraction_used: float = Field(2 / 3, gt=0, le=1)
    pool_size: int = Field(10, ge=1)
    group_commit: bool = (
        True  # concurrent commands share transactions (application/group_commit.py)
    )
    # Cases kept loaded between commands (0: none). A command then reads only the events
    # newer than the kept case (one indexed query) instead of snapshot and tail (~2 ms).
    aggregate_cache: int = Field(2000, ge=0)
    # Supervision: working days a stage may hold a task ({"HANDLING": 10, …}; the rest keep
    # their defaults), the promised correction-notice days, and how often the watcher runs.
    stage_limits: dict[str, int] = Field(default_factory=dict)
    correction_notice_days: int = Field(3, ge=1, le=5)
    # SAMR 15(4): the correction period a notice sets (working days), and the service limit
    # an authority gives its denials ({"440000": 10}; Law 44 sets one for grants only).
    correction_period_days: int = Field(10, ge=1, le=60)
    denial_service_days: dict[str, int] = Field(default_factory=dict)
    watch_interval_seconds: float = Field(60.0, gt=0)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'xuke.sqlite'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite:")

    @property
    def demo_mode(self) -> bool:
        return self.is_sqlite if self.demo is None else self.demo

    def check_safe(self) -> None:
        """Refuse the published development secrets outside demo mode."""
        if self.demo_mode:
            return
        if self.secret_key == DEVELOPMENT_SECRET:
            raise SystemExit("XUKE_SECRET_KEY must be set outside demo mode")
        if not self.jwks_url and self.jwt_secret == DEVELOPMENT_SECRET:
            raise SystemExit("XUKE_JWT_SECRET (or XUKE_JWKS_URL) must be set outside demo mode")
