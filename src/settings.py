"""One settings object, read from ``XUKE_*`` environment variables (docs/operations.md lists them)."""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "xuke-development-secret-not-for-production-use"
MIN_JWT_SECRET_BYTES = 32  # an HS256 key at least as long as its hash (RFC 7518 §3.2)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class UnsafeSetting(UserWarning):
    """A setting a production deployment should not run with (logged loudly, not refused)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XUKE_", extra="ignore")

    data_dir: Path = Path("./xuke-data")
    database_url: str = ""  # sqlite:///path or postgresql://user:pass@host:port/db?schema=name
    # Read scale-out (docs/operations.md, projections/replica.py): the queries that need not
    # read their own writes (register, public status, compliance, audit trail) go to this
    # streaming replica of XUKE_DATABASE_URL, and back to the primary while the replica is
    # away or lags more than read_max_lag_seconds. Default: the primary itself.
    read_database_url: str = ""
    read_max_lag_seconds: float = Field(5.0, gt=0)
    secret_key: str = DEVELOPMENT_SECRET  # keys the query codes (查询码)
    # Base64 AES key (16, 24 or 32 bytes): encrypts every stored event at rest, so personal
    # data (ID numbers, phones, addresses) never sits in the database in clear. Keep it safe:
    # without it the history cannot be read.
    cipher_key: str = ""
    jwt_secret: str = DEVELOPMENT_SECRET  # HS256 development tokens (xuke token …)
    jwks_url: str = ""  # or an OIDC provider's keys
    # Every token's `iss` and `aud`, in both modes (with JWKS: the provider's issuer and this
    # service's client id or audience as the provider writes them).
    jwt_issuer: str = "xuke"
    jwt_audience: str = "xuke"
    # JWKS: the fetched keys are kept this long; a token with a kid not among them fetches the
    # set again, at most once per ``jwks_refetch_seconds`` (random kids cannot flood the provider).
    jwks_cache_seconds: float = Field(300.0, gt=0)
    jwks_refetch_seconds: float = Field(5.0, ge=0)
    jwks_timeout_seconds: float = Field(3.0, gt=0)
    demo: bool | None = None  # default: on for SQLite only
    yellow_days_left: int = Field(2, ge=0)
    yellow_fraction_used: float = Field(2 / 3, gt=0, le=1)
    pool_size: int = Field(10, ge=1)
    group_commit: bool = (
        True  # concurrent commands share transactions (application/group_commit.py)
    )
    # Inline views: the views a mutation waits for (inbox, public status, deadlines,
    # supervision) are written in the events' own transaction (docs/write-path.md); false:
    # the projection workers write them after the commit and each mutation waits for them.
    inline_views: bool = True
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
    # 网上咨询: working days an authority commits to answer a question in ({"440000": 3};
    # the rest: 5). A question still open after them raises a CONSULTATION_LATE card.
    consultation_answer_days: dict[str, int] = Field(default_factory=dict)
    # The provincial authority that answers the board for its tree (provincial items, and
    # items decided by its cities and counties); national items go to 000000. The packaged
    # tree's province: 广东省 (440000). docs/consultation.md.
    home_authority: str = "440000"
    denial_service_days: dict[str, int] = Field(default_factory=dict)
    # Separation of duties (承办、审核、审批 by different hands) is on for every authority but
    # those listed here (["440300"]): a small office may let one person act at several stages.
    duties_combined: list[str] = Field(default_factory=list)
    watch_interval_seconds: float = Field(60.0, gt=0)
    # What applicants see of the opinions on their case: stage, opinion, comment and time
    # always; of each stage's own ``fields`` only the keys listed here (["整改要求"]); never
    # the staff's user ids (api/graphql/cases/types.py, docs/roles.md).
    applicant_opinion_fields: list[str] = Field(default_factory=list)
    # Materials as files (POST /materials): the largest file accepted, in bytes (20 MiB).
    upload_max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    # Legal documents: the public address a certificate's QR code points at ({this}/verify/…),
    # and how often the document clerk looks for steps that call for a document.
    public_url: str = "http://127.0.0.1:8000"
    # CIDRs webhooks may target though not public (application/webhooks.py reads the env var).
    webhook_allowed_networks: str = ""
    documents_interval_seconds: float = Field(1.0, gt=0)
    # Who reads /metrics (api/metrics.py). XUKE_METRICS_PORT: served on a port of its own
    # (on XUKE_METRICS_HOST, default serve's --host), and /metrics on the service's port
    # answers 404. XUKE_METRICS_TOKEN: a bearer token required (401 without), on either port.
    # With neither, only a client on the same machine reads them, or anyone if
    # XUKE_METRICS_PUBLIC says a network rule guards the port. Outside demo mode `xuke serve`
    # refuses to start without one of the three.
    # What the GraphQL endpoint tells strangers about itself: introspection, "Did you mean …?"
    # suggestions in errors, and the GraphiQL page. Unset: on in demo mode, off otherwise.
    graphql_introspection: bool | None = None
    # Lookups by secret (query codes, document numbers) one client may try per minute, over
    # every door and process together (application/rate_limits.py).
    secret_lookups_per_minute: int = Field(20, ge=1)
    graphql_ide: bool | None = None
    metrics_token: str = ""
    metrics_port: int | None = Field(None, ge=1, le=65535)
    metrics_host: str = ""
    metrics_public: bool = False
    # The offline ferry (docs/exchange-federation.md): the exporters whose bundles
    # `xuke exchange import` accepts, comma-separated, as their `xuke exchange key` prints them.
    exchange_trusted_keys: str = ""

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'xuke.sqlite'}"

    @property
    def has_replica(self) -> bool:
        """A read database of its own (PostgreSQL only: SQLite has no replicas)."""
        return (
            bool(self.read_database_url)
            and not self.is_sqlite
            and self.read_database_url != self.resolved_database_url
        )

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite:")

    @property
    def demo_mode(self) -> bool:
        return self.is_sqlite if self.demo is None else self.demo

    @property
    def introspection_open(self) -> bool:
        return self.demo_mode if self.graphql_introspection is None else self.graphql_introspection

    @property
    def ide_open(self) -> bool:
        return self.demo_mode if self.graphql_ide is None else self.graphql_ide

    def check_safe(self) -> None:
        """Refuse the published development secrets, a guessable token secret and keys fetched
        over plain HTTP outside demo mode."""
        if self.demo_mode:
            return
        if self.secret_key == DEVELOPMENT_SECRET:
            raise SystemExit("XUKE_SECRET_KEY must be set outside demo mode")
        if self.jwks_url:
            url = urlsplit(self.jwks_url)
            if url.scheme != "https" and not (
                url.scheme == "http" and url.hostname in LOOPBACK_HOSTS
            ):
                raise SystemExit(
                    "XUKE_JWKS_URL must be an https:// URL outside demo mode "
                    "(keys fetched over plain HTTP can be replaced on the way)"
                )
        elif self.jwt_secret == DEVELOPMENT_SECRET:
            raise SystemExit("XUKE_JWT_SECRET (or XUKE_JWKS_URL) must be set outside demo mode")
        elif (length := len(self.jwt_secret.encode())) < MIN_JWT_SECRET_BYTES:
            raise SystemExit(
                f"XUKE_JWT_SECRET is {length} bytes: outside demo mode it must be at least "
                f"{MIN_JWT_SECRET_BYTES} bytes (HS256; anyone who guesses it mints any token). "
                "Generate one: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if not self.cipher_key:
            warnings.warn(
                "XUKE_CIPHER_KEY is not set: stored events (ID numbers, phones, addresses) "
                "sit in the database in clear. Set a base64 AES key outside demo mode.",
                UnsafeSetting,
                stacklevel=2,
            )
