"""Tokens (issue 17, Security 6): every token carries exp, iss and aud; every claim is of the
right type and form, or the token is refused as UNAUTHENTICATED with a Chinese reason, never
an exception of another kind (a 500); a short shared secret is refused at start."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import jwt
import pytest
from typer.testing import CliRunner

from tests.support import ENTERPRISE_CODE, PERSON_ID
from xuke.api.auth import TokenService, principal_from_claims
from xuke.application.authorization import Unauthenticated
from xuke.cli import app as cli
from xuke.domain.roles import Role
from xuke.settings import DEVELOPMENT_SECRET, Settings

SECRET = "unit-test-jwt-secret-of-sufficient-length-0123"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
DROP = object()  # claims(sub=DROP): the claim left out


def claims(**overrides: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    base: dict[str, Any] = {
        "sub": "clerk-1", "name": "窗口一", "roles": ["CLERK"], "org": "440000",
        "jurisdiction": "440300", "iss": "xuke", "aud": "xuke", "iat": now,
        "exp": now + dt.timedelta(hours=1),
    }  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not DROP}


def bearer(payload: dict[str, Any], secret: str = SECRET) -> str:
    return "Bearer " + jwt.encode(payload, secret, algorithm="HS256")


def refused(authorization: str, service: TokenService | None = None) -> str:
    """The reason a token is refused: an ``Unauthenticated``, in Chinese."""
    with pytest.raises(Unauthenticated) as caught:
        (service or TokenService(secret=SECRET)).principal(authorization)
    reason = str(caught.value)
    assert CHINESE.search(reason), reason
    return reason


# -- claim types and forms ------------------------------------------------------------------


def test_a_well_formed_staff_token_gives_its_principal() -> None:
    p = TokenService(secret=SECRET).principal(bearer(claims()))
    assert p is not None
    assert (p.user_id, p.roles, p.org_code, p.jurisdiction_code, p.name) == (
        "clerk-1", frozenset({Role.CLERK}), "440000", "440300", "窗口一"
    )  # fmt: skip


@pytest.mark.parametrize("org", [ENTERPRISE_CODE, PERSON_ID])
def test_an_applicant_is_an_enterprise_credit_code_or_a_citizen_id(org: str) -> None:
    p = TokenService(secret=SECRET).principal(
        bearer(claims(roles=["APPLICANT"], org=org, jurisdiction="440305"))
    )
    assert p is not None and p.org_code == org and p.jurisdiction_code == "440305"
    no_jurisdiction = principal_from_claims(claims(roles=["APPLICANT"], org=org, jurisdiction=DROP))
    assert no_jurisdiction.jurisdiction_code == org


def test_national_staff_and_optional_claims() -> None:
    p = principal_from_claims(
        claims(roles=["SUPERVISOR", "AUDITOR"], org="000000", jurisdiction=DROP, name=DROP)
    )
    assert p.jurisdiction_code == "000000" and p.name == "clerk-1"
    assert p.roles == {Role.SUPERVISOR, Role.AUDITOR}
    assert principal_from_claims(claims(name=None, jurisdiction=None)).name == "clerk-1"
    assert principal_from_claims(claims(sub="x" * 128)).user_id == "x" * 128


@pytest.mark.parametrize(
    "sub",
    [DROP, None, 42, ["clerk-1"], {"id": 1}, "", "   ", " clerk-1", "clerk-1\n", "a\x00b",
     "a\tb", "a\x7fb", "a\u200bb", "a\u202eb", "a\u2028b", "\ud800", "x" * 129, True],
)  # fmt: skip
def test_sub_is_a_non_empty_plain_string_of_at_most_128_characters(sub: Any) -> None:
    reason = refused(bearer(claims(sub=sub)))
    assert "sub" in reason


@pytest.mark.parametrize(
    "roles",
    [DROP, None, "CLERK", "CLERK,HANDLER", 1, {"CLERK": True}, ["clerk"], ["GOD"], ["ADMIN ", "CLERK"],
     [1], [None], [["CLERK"]], [{"role": "CLERK"}], ["CLERK"] * (len(Role) + 1), ["\ud800"]],
)  # fmt: skip
def test_roles_is_a_list_of_known_role_names(roles: Any) -> None:
    reason = refused(bearer(claims(roles=roles)))
    assert "roles" in reason


def test_no_roles_and_mixed_applicant_and_staff_roles_are_refused() -> None:
    assert "角色" in refused(bearer(claims(roles=[])))
    mixed = claims(roles=["APPLICANT", "CLERK"], org=ENTERPRISE_CODE, jurisdiction="440305")
    assert "申请人" in refused(bearer(mixed))


@pytest.mark.parametrize(
    ("roles", "org", "jurisdiction"),
    [
        (["CLERK"], DROP, "440000"),
        (["CLERK"], None, "440000"),
        (["CLERK"], 440000, "440000"),
        (["CLERK"], ["440000"], "440000"),
        (["CLERK"], "44000", DROP),
        (["CLERK"], "4400001", DROP),
        (["CLERK"], "04400a", DROP),
        (["CLERK"], "440000 ", DROP),
        (["HANDLER"], ENTERPRISE_CODE, DROP),
        (["CLERK"], "440000", 440300),
        (["CLERK"], "440000", "4403"),
        (["CLERK"], "440000", ENTERPRISE_CODE),
        (["APPROVER"], "440000", "\ud800"),
        (["APPLICANT"], "440000", DROP),
        (["APPLICANT"], ENTERPRISE_CODE[:-1] + "0", DROP),  # the check character wrong
        (["APPLICANT"], PERSON_ID[:-1] + "1", DROP),  # the check digit wrong
        (["APPLICANT"], PERSON_ID.lower(), DROP),
        (["APPLICANT"], "x" * 18, DROP),
        (["APPLICANT"], 914403001922038216, DROP),
        (["APPLICANT"], ENTERPRISE_CODE, "000000"),
        (["APPLICANT"], ENTERPRISE_CODE, "4403"),
        (["APPLICANT"], ENTERPRISE_CODE, ["440305"]),
    ],
)
def test_org_and_jurisdiction_are_strings_of_the_roles_form(
    roles: list[str], org: Any, jurisdiction: Any
) -> None:
    reason = refused(bearer(claims(roles=roles, org=org, jurisdiction=jurisdiction)))
    assert "org" in reason or "jurisdiction" in reason


@pytest.mark.parametrize("name", [42, ["张三"], {"n": 1}, "张\x00三", "\ud800", "名" * 129, False])
def test_name_when_given_is_a_plain_string(name: Any) -> None:
    assert "name" in refused(bearer(claims(name=name)))


# -- exp, iss, aud, signature ----------------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iss", "aud", "sub"])
def test_exp_iss_aud_and_sub_are_required(claim: str) -> None:
    assert claim in refused(bearer(claims(**{claim: DROP})))


def test_expired_wrong_issuer_wrong_audience_and_forged_tokens_are_refused() -> None:
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert "过期" in refused(bearer(claims(exp=hour_ago)))
    assert "iss" in refused(bearer(claims(iss="someone-else")))
    assert "aud" in refused(bearer(claims(aud="another-service")))
    assert "签名" in refused(bearer(claims(), secret="another-secret-of-sufficient-length-0"))
    refused(bearer(claims(exp="tomorrow")))
    refused(bearer(claims(iat="yesterday")))


def test_a_token_with_alg_none_is_refused() -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none")
    assert "算法" in refused(f"Bearer {unsigned}")


def test_issuer_and_audience_come_from_the_settings() -> None:
    settings = Settings(
        jwt_secret=SECRET, jwt_issuer="https://idp.example", jwt_audience="xuke-api"
    )
    service = TokenService.from_settings(settings)
    token = service.issue("clerk-1", [Role.CLERK], "440000")
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"], audience="xuke-api")
    assert decoded["iss"] == "https://idp.example"
    assert service.principal(f"Bearer {token}") is not None
    assert "iss" in refused(bearer(claims()), service)  # iss "xuke", aud "xuke"
    assert "aud" in refused(bearer(claims(iss="https://idp.example")), service)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not.a.token", "Bearer a.b", "Bearer ...",
     "Bearer eyJhbGciOiJIUzI1NiJ9.W10.c2ln", "Bearer eyJhbGciOiJIUzI1NiJ9.bnVsbA.c2ln",
     "Bearer e30.e30.", "Bearer \udcff.\udcff.\udcff", "Bearer " + "A" * 10_000],
)  # fmt: skip
def test_garbage_is_unauthenticated_never_another_error(authorization: str) -> None:
    refused(authorization)


def test_no_header_is_no_principal() -> None:
    assert TokenService(secret=SECRET).principal(None) is None
    assert TokenService(secret=SECRET).principal("") is None


# -- issuing ---------------------------------------------------------------------------------


def test_issued_tokens_carry_exp_iss_aud_and_are_accepted() -> None:
    service = TokenService(secret=SECRET, lifetime_hours=2)
    token = service.issue("ent-1", [Role.APPLICANT], ENTERPRISE_CODE, "某公司", "440305")
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"], audience="xuke")
    assert decoded["iss"] == "xuke" and decoded["aud"] == "xuke"
    assert 2 * 3600 - 60 <= decoded["exp"] - dt.datetime.now(dt.UTC).timestamp() <= 2 * 3600
    p = service.principal(f"Bearer {token}")
    assert p is not None and p.org_code == ENTERPRISE_CODE and p.name == "某公司"


def test_issuing_a_token_the_service_would_refuse_is_refused() -> None:
    service = TokenService(secret=SECRET)
    with pytest.raises(ValueError, match="org"):
        service.issue("clerk-1", [Role.CLERK], "guangdong")
    with pytest.raises(ValueError, match="sub"):
        service.issue("", [Role.CLERK], "440000")
    with pytest.raises(ValueError, match="identity provider"):
        TokenService(jwks_url="http://127.0.0.1:9/jwks").issue("c", [Role.CLERK], "440000")


def test_xuke_token_prints_a_token_with_exp_the_service_accepts() -> None:
    result = CliRunner().invoke(
        cli,
        ["token", "--user", "clerk-1", "--role", "CLERK", "--role", "HANDLER", "--org", "440300"],
        env={"XUKE_JWT_SECRET": SECRET, "XUKE_JWKS_URL": ""},
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert jwt.decode(token, options={"verify_signature": False})["exp"] > time.time()
    p = TokenService(secret=SECRET).principal(f"Bearer {token}")
    assert p is not None and p.roles == {Role.CLERK, Role.HANDLER} and p.org_code == "440300"


# -- the shared secret at start ----------------------------------------------------------------


def production(**kw: Any) -> Settings:
    return Settings(database_url="postgresql://x@h/db", secret_key="s" * 40, **kw)


@pytest.mark.parametrize("secret", ["short", "x" * 31, "密" * 10])  # 31 bytes; 30 bytes
def test_a_shared_secret_under_32_bytes_is_refused_outside_demo_mode(secret: str) -> None:
    with pytest.raises(SystemExit, match=r"XUKE_JWT_SECRET .* at least 32 bytes"):
        production(jwt_secret=secret).check_safe()
    Settings(database_url="postgresql://x@h/db", jwt_secret=secret, demo=True).check_safe()
    Settings(jwt_secret=secret).check_safe()  # SQLite: demo mode by default


def test_a_long_enough_secret_or_a_jwks_url_starts() -> None:
    production(jwt_secret="x" * 32).check_safe()
    production(jwt_secret="密" * 11).check_safe()  # 33 bytes
    production(jwt_secret="", jwks_url="https://idp.example/jwks").check_safe()
    production(jwt_secret="", jwks_url="http://127.0.0.1:8080/jwks").check_safe()
    with pytest.raises(SystemExit, match="XUKE_JWT_SECRET"):
        production(jwt_secret=DEVELOPMENT_SECRET).check_safe()
    with pytest.raises(SystemExit, match="https"):
        production(jwks_url="http://idp.example/jwks").check_safe()


def test_events_stored_in_clear_are_warned_about_outside_demo_mode() -> None:
    from xuke.settings import Settings, UnsafeSetting

    settings = Settings(
        demo=False, secret_key="a-secret-key", jwt_secret="s" * 40, database_url="sqlite:///x"
    )
    with pytest.warns(UnsafeSetting, match="XUKE_CIPHER_KEY"):
        settings.check_safe()
