"""Bearer tokens → ``Principal``: HS256 with ``XUKE_JWT_SECRET`` for development, or an OIDC
provider's keys from ``XUKE_JWKS_URL``. Claims: sub, name, roles, org, jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt

from xuke.application.authorization import Unauthenticated
from xuke.application.principal import Principal
from xuke.domain.identifiers import is_valid_division_code
from xuke.domain.roles import Role

ISSUER = "xuke"
AUDIENCE = "xuke"


class TokenService:
    def __init__(self, secret: str = "", jwks_url: str = "", lifetime_hours: int = 12) -> None:
        if not secret and not jwks_url:
            raise ValueError("a JWT secret or a JWKS URL is needed")
        self.secret, self.lifetime = secret, dt.timedelta(hours=lifetime_hours)
        self._jwks = jwt.PyJWKClient(jwks_url) if jwks_url else None

    def issue(
        self,
        user_id: str,
        roles: list[Role],
        org: str,
        name: str = "",
        jurisdiction: str | None = None,
    ) -> str:
        """A development token (HS256); with a JWKS provider, tokens come from it instead."""
        if not self.secret:
            raise ValueError("tokens are issued by the identity provider (XUKE_JWKS_URL is set)")
        now = dt.datetime.now(dt.UTC)
        claims = {
            "sub": user_id, "name": name or user_id, "roles": [r.value for r in roles], "org": org,
            "jurisdiction": jurisdiction or org, "iss": ISSUER, "aud": AUDIENCE, "iat": now,
            "exp": now + self.lifetime,
        }  # fmt: skip
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def principal(self, authorization: str | None) -> Principal | None:
        """None without a token; ``Unauthenticated`` for a bad one."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization must be 'Bearer <token>'")
        try:
            claims = self._decode(token.strip())
        except jwt.PyJWTError as e:
            raise Unauthenticated(f"invalid token: {e}") from None
        return principal_from_claims(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        if self._jwks is not None:
            key = self._jwks.get_signing_key_from_jwt(token).key
            return jwt.decode(token, key, algorithms=["RS256", "ES256"], audience=AUDIENCE)
        return jwt.decode(
            token, self.secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER
        )


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        roles = frozenset(Role(r) for r in claims.get("roles", []))
        org = str(claims["org"])
        jurisdiction = str(claims.get("jurisdiction") or org)
        user = str(claims["sub"])
    except (KeyError, ValueError) as e:
        raise Unauthenticated(f"token claims incomplete: {e}") from None
    if not roles:
        raise Unauthenticated("token has no roles")
    staff = roles - {Role.APPLICANT}
    if staff and not (is_valid_division_code(jurisdiction) or jurisdiction == "000000"):
        raise Unauthenticated("jurisdiction must be a GB/T 2260 division code")
    return Principal(user, roles, org, jurisdiction, str(claims.get("name") or user))
