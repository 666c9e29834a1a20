"""Bearer tokens → ``Principal``: HS256 with ``XUKE_JWT_SECRET`` for development, or an OIDC
provider's keys from ``XUKE_JWKS_URL``. Claims: sub, name, roles, org, jurisdiction.

Every token must carry ``exp``, ``iss`` and ``aud`` (checked in both modes), and every claim
is checked for its type and form before a ``Principal`` is built: a malformed token is
refused with ``Unauthenticated`` and a Chinese reason, never a 500. Reasons never echo the
token's values (a lone surrogate in a claim would break the answer's JSON)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeGuard

import jwt
import jwt.exceptions

from xuke.application.authorization import Unauthenticated
from xuke.application.principal import Principal
from xuke.domain.identifiers import is_valid_credit_code, is_valid_division_code, is_valid_id_number
from xuke.domain.roles import Role

if TYPE_CHECKING:
    from xuke.settings import Settings

log = logging.getLogger("xuke.api.auth")

ISSUER = "xuke"
AUDIENCE = "xuke"
NATIONAL = "000000"  # the whole country: a division code GB/T 2260 itself does not list
MAX_SUB = 128
MAX_NAME = 128
LEEWAY_SECONDS = 30  # clock skew between the identity provider and this service
REQUIRED = ["exp", "iss", "aud", "sub"]
# Keys from a JWKS are public: only asymmetric algorithms may be verified with them.
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_ROLE_NAMES = frozenset(r.value for r in Role)

# PyJWT's refusals, told in Chinese (its own texts may quote the token: not echoed).
_REASONS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.ExpiredSignatureError, "令牌已过期"),
    (jwt.ImmatureSignatureError, "令牌尚未生效"),
    (jwt.InvalidAudienceError, "令牌的受众 (aud) 不符"),
    (jwt.InvalidIssuerError, "令牌的签发方 (iss) 不符"),
    (jwt.InvalidAlgorithmError, "令牌的签名算法不被接受"),
    (jwt.InvalidSignatureError, "令牌签名无效"),
    (jwt.InvalidIssuedAtError, "令牌的签发时间 (iat) 无效"),
    (jwt.exceptions.InvalidSubjectError, "令牌的 sub 须为字符串"),
    (jwt.exceptions.InvalidJTIError, "令牌的 jti 须为字符串"),
    (jwt.DecodeError, "令牌格式无效"),
]


class KeysUnavailable(Unauthenticated):
    """The identity provider's keys could not be fetched: the token may well be good. Told
    apart so that the API can answer it as an outage rather than as a bad token."""


class TokenService:
    def __init__(
        self,
        secret: str = "",
        jwks_url: str = "",
        lifetime_hours: int = 12,
        *,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        jwks_cache_seconds: float = 300.0,
        jwks_refetch_seconds: float = 5.0,
        jwks_timeout_seconds: float = 3.0,
    ) -> None:
        if not secret and not jwks_url:
            raise ValueError("a JWT secret or a JWKS URL is needed")
        self.secret, self.lifetime = secret, dt.timedelta(hours=lifetime_hours)
        self.issuer, self.audience = issuer, audience
        self._jwks = (
            JwksKeys(
                jwks_url,
                cache_seconds=jwks_cache_seconds,
                refetch_seconds=jwks_refetch_seconds,
                timeout_seconds=jwks_timeout_seconds,
            )
            if jwks_url
            else None
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenService:
        """As the running configuration has it: JWKS mode when ``XUKE_JWKS_URL`` is set."""
        return cls(
            secret="" if settings.jwks_url else settings.jwt_secret,
            jwks_url=settings.jwks_url,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            jwks_cache_seconds=settings.jwks_cache_seconds,
            jwks_refetch_seconds=settings.jwks_refetch_seconds,
            jwks_timeout_seconds=settings.jwks_timeout_seconds,
        )

    def issue(
        self,
        user_id: str,
        roles: list[Role],
        org: str,
        name: str = "",
        jurisdiction: str | None = None,
    ) -> str:
        """A development token (HS256), with ``exp``; with a JWKS provider, tokens come from it
        instead. Claims this service would refuse are refused here already."""
        if not self.secret:
            raise ValueError("tokens are issued by the identity provider (XUKE_JWKS_URL is set)")
        now = dt.datetime.now(dt.UTC)
        claims = {
            "sub": user_id, "name": name or user_id, "roles": [Role(r).value for r in roles],
            "org": org, "jurisdiction": jurisdiction or org, "iss": self.issuer,
            "aud": self.audience, "iat": now, "exp": now + self.lifetime,
        }  # fmt: skip
        try:
            principal_from_claims(claims)
        except Unauthenticated as e:
            raise ValueError(str(e)) from None
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def principal(self, authorization: str | None) -> Principal | None:
        """None without a token; ``Unauthenticated`` for a bad one (``KeysUnavailable`` when
        the provider's keys cannot be had)."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Authorization 须为 'Bearer <令牌>'")
        try:
            claims = self._decode(token.strip())
        except Unauthenticated:
            raise
        except jwt.PyJWTError as e:
            raise Unauthenticated(_reason(e)) from None
        except Exception:  # fail closed: whatever a crafted token trips, it is not a 500
            log.warning("token refused: unexpected error while verifying", exc_info=True)
            raise Unauthenticated("令牌无效") from None
        return principal_from_claims(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        if self._jwks is None:
            key: Any = self.secret
            algorithms = ["HS256"]
        else:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise Unauthenticated("令牌缺少签名密钥标识 (kid)")
            jwk = self._jwks.key(kid)
            key, algorithms = jwk.key, [jwk.algorithm_name]
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=self.audience,
            issuer=self.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED},
        )
        return claims


class JwksKeys:
    """An identity provider's signing keys by ``kid``, fetched from its JWKS URL and kept
    ``cache_seconds``. A kid not among them fetches the set again (key rotation), at most once
    per ``refetch_seconds``; a key removed from the set is refused from the next fetch on.
    While the provider cannot be reached the keys last fetched keep serving; with none, or
    for a kid not among them, ``KeysUnavailable``. Only asymmetric signing keys are kept."""

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float = 300.0,
        refetch_seconds: float = 5.0,
        timeout_seconds: float = 3.0,
    ) -> None:
        self.url = url
        self.cache_seconds, self.refetch_seconds = cache_seconds, refetch_seconds
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=timeout_seconds)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # monotonic, of the last good fetch
        self._tried_at: float | None = None  # of the last attempt, good or not
        self._failure = ""
        self._lock = threading.Lock()
        self.fetches = 0  # attempts, for the tests and the curious

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = time.monotonic()
            stale = self._fetched_at is None or now - self._fetched_at >= self.cache_seconds
            may_try = self._tried_at is None or now - self._tried_at >= self.refetch_seconds
            if may_try and (stale or kid not in self._keys):
                self._refresh(now)
            key = self._keys.get(kid)
            if key is not None:
                return key
            if self._fetched_at is None or self._failure:
                raise KeysUnavailable(
                    "暂时无法获取身份提供方的签名公钥 (JWKS)，请稍后重试"
                    f" (identity provider keys unavailable: {self._failure or 'not fetched yet'})"
                )
            raise Unauthenticated("令牌的签名密钥 (kid) 未知")

    def _refresh(self, now: float) -> None:
        self._tried_at = now
        self.fetches += 1
        try:
            data = self._client.fetch_data()
            keys = _signing_keys(data)
        except Exception as e:  # down, refusing, or answering something not a key set
            self._failure = type(e).__name__
            log.warning("JWKS fetch from %s failed: %s", self.url, e)
            return
        self._keys, self._fetched_at, self._failure = keys, now, ""


def _signing_keys(data: Any) -> dict[str, jwt.PyJWK]:
    """The usable asymmetric signing keys of a JWK Set, by kid (a symmetric key published in
    a JWKS would let anyone sign: never kept)."""
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError("not a JWK Set")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("kty") == "oct":
            continue
        try:
            jwk = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue  # a key of a kind this service cannot use
        if jwk.algorithm_name in ASYMMETRIC:
            keys[kid] = jwk
    if not keys:
        raise ValueError("the JWK Set has no usable signing keys")
    return keys


def _reason(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"令牌缺少 {error.claim} 声明"
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return "令牌无效"


def _plain(value: str) -> bool:
    """No control, format, surrogate, private-use or unassigned characters, no line breaks."""
    return not any(unicodedata.category(c)[0] == "C" or c in "\u2028\u2029" for c in value)


def _plain_string(value: Any, limit: int) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and 0 < len(value) <= limit
        and value == value.strip()
        and _plain(value)
    )


def _is_division(code: str) -> bool:
    return code == NATIONAL or is_valid_division_code(code)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The caller the claims name, once each claim is of the right type and form."""
    user = claims.get("sub")
    if not _plain_string(user, MAX_SUB):
        raise Unauthenticated(
            f"令牌的 sub 须为非空的普通字符串 (不超过 {MAX_SUB} 个字符，不含控制字符或首尾空白)"
        )
    raw_roles = claims.get("roles")
    if (
        not isinstance(raw_roles, list)
        or len(raw_roles) > len(_ROLE_NAMES)
        or not all(isinstance(r, str) and r in _ROLE_NAMES for r in raw_roles)
    ):
        raise Unauthenticated("令牌的 roles 须为已知角色名的列表")
    roles = frozenset(Role(r) for r in raw_roles)
    if not roles:
        raise Unauthenticated("令牌没有角色")
    org = claims.get("org")
    if not isinstance(org, str):
        raise Unauthenticated("令牌的 org 须为字符串")
    jurisdiction = claims.get("jurisdiction")
    if jurisdiction is None or jurisdiction == "":
        jurisdiction = org
    if not isinstance(jurisdiction, str):
        raise Unauthenticated("令牌的 jurisdiction 须为字符串")
    if Role.APPLICANT in roles:
        if len(roles) > 1:
            raise Unauthenticated("申请人令牌不能同时带有工作人员角色")
        if not (is_valid_credit_code(org) or is_valid_id_number(org)):
            raise Unauthenticated("申请人令牌的 org 须为统一社会信用代码或公民身份号码")
        if jurisdiction != org and not is_valid_division_code(jurisdiction):
            raise Unauthenticated("申请人令牌的 jurisdiction 须为行政区划代码")
    else:
        if not _is_division(org):
            raise Unauthenticated("工作人员令牌的 org 须为六位行政区划代码")
        if not _is_division(jurisdiction):
            raise Unauthenticated("工作人员令牌的 jurisdiction 须为六位行政区划代码")
    name = claims.get("name")
    if name is not None and not (isinstance(name, str) and len(name) <= MAX_NAME and _plain(name)):
        raise Unauthenticated(f"令牌的 name 须为普通字符串 (不超过 {MAX_NAME} 个字符)")
    return Principal(
        user, roles, org, jurisdiction, str(name or "").strip() or user,
        expires_at=_expiry(claims.get("exp")),
    )  # fmt: skip


def _expiry(exp: Any) -> dt.datetime | None:
    """The ``exp`` claim as a moment (a number once decoded; a datetime when issuing)."""
    if isinstance(exp, dt.datetime):
        return exp if exp.tzinfo else exp.replace(tzinfo=dt.UTC)
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        try:
            return dt.datetime.fromtimestamp(exp, dt.UTC)
        except (OverflowError, OSError, ValueError):  # beyond any calendar: never, for us
            return None
    return None
