"""Tokens over real HTTP, and the JWKS mode against a key server this test serves (a small
``http.server`` on 127.0.0.1): RS256 and ES256 keys, rotation by ``kid``, an unknown kid, the
server down, and the algorithm tricks (``alg: none``, HS256 keyed with a public key).

A refused token is UNAUTHENTICATED in ``errors[0].extensions.code``, never a 500. The key
server being down is an outage, not a refusal: 503 with Retry-After and UNAVAILABLE, with a
reason that says so (``JWKS``, 请稍后重试)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.api.conftest import Api
from tests.support import ENTERPRISE_CODE
from xuke.api.auth import KeysUnavailable, TokenService
from xuke.application.authorization import Unauthenticated
from xuke.domain.roles import Role

ISSUER = "https://idp.test/realms/xuke"
AUDIENCE = "xuke-api"
DROP = object()  # claims(exp=DROP): the claim left out (None: present, as null)


@dataclass
class Key:
    kid: str
    alg: str
    private: Any

    @classmethod
    def new(cls, kid: str, alg: str) -> Key:
        if alg == "RS256":
            return cls(kid, alg, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return cls(kid, alg, ec.generate_private_key(ec.SECP256R1()))

    def jwk(self, with_alg: bool = True) -> dict[str, Any]:
        algorithm = RSAAlgorithm if self.alg == "RS256" else ECAlgorithm
        public = algorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", **({"alg": self.alg} if with_alg else {})}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        headers = {"kid": self.kid, **header}
        return jwt.encode(claims, self.private, algorithm=self.alg, headers=headers)

    def public_pem(self) -> bytes:
        return bytes(
            self.private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


_KEYS: dict[str, Key] = {}


def key(kid: str, alg: str = "RS256") -> Key:
    """Generated once per test process (RSA takes a moment)."""
    if kid not in _KEYS:
        _KEYS[kid] = Key.new(kid, alg)
    return _KEYS[kid]


class KeyServer:
    """A JWKS endpoint: ``keys`` is what it publishes, ``status`` what it answers with."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.status = 200
        self.body: bytes | None = None  # instead of the key set
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                body = server.body or json.dumps({"keys": server.keys}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def publish(self, *keys: Key) -> None:
        self.keys = [k.jwk() for k in keys]

    def stop(self) -> None:
        if self.running:
            self.http.shutdown()
            self.http.server_close()
            self.thread.join(timeout=5)
            self.running = False


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.stop()


def service(server: KeyServer, **kw: Any) -> TokenService:
    options: dict[str, Any] = {"jwks_refetch_seconds": 0.0, "jwks_timeout_seconds": 2.0}
    return TokenService(jwks_url=server.url, issuer=ISSUER, audience=AUDIENCE, **{**options, **kw})


def claims(**overrides: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    base: dict[str, Any] = {
        "sub": "clerk-1", "name": "窗口一", "roles": ["CLERK"], "org": "440000",
        "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + dt.timedelta(minutes=5),
    }  # fmt: skip
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not DROP}


def user(tokens: TokenService, token: str) -> str:
    principal = tokens.principal(f"Bearer {token}")
    assert principal is not None
    return principal.user_id


def refused(tokens: TokenService, token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        tokens.principal(f"Bearer {token}")
    return str(caught.value)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed_hs256(payload: dict[str, Any], secret: bytes, kid: str) -> str:
    """HS256 keyed with whatever bytes (PyJWT itself refuses a PEM as an HMAC key)."""
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64(json.dumps(payload, default=lambda d: int(d.timestamp())).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


# -- JWKS mode, against the key server ---------------------------------------------------------


@pytest.mark.parametrize(("kid", "alg"), [("rsa-1", "RS256"), ("ec-1", "ES256")])
def test_rs256_and_es256_tokens_are_verified_with_the_served_keys(
    key_server: KeyServer, kid: str, alg: str
) -> None:
    signer = key(kid, alg)
    key_server.keys = [signer.jwk(with_alg=False)]  # the algorithm told by the key type alone
    tokens = service(key_server)
    assert user(tokens, signer.sign(claims())) == "clerk-1"
    assert user(tokens, signer.sign(claims(sub="clerk-2"))) == "clerk-2"
    assert key_server.requests == 1  # the set is kept, not fetched per token


def test_key_rotation_by_kid(key_server: KeyServer) -> None:
    old, new = key("rsa-1"), key("ec-2", "ES256")
    key_server.publish(old)
    tokens = service(key_server, jwks_cache_seconds=0.5)
    assert user(tokens, old.sign(claims())) == "clerk-1"
    key_server.publish(old, new)  # the provider rolls a new key in
    assert user(tokens, new.sign(claims())) == "clerk-1"  # an unknown kid fetches the set again
    assert key_server.requests == 2
    assert user(tokens, old.sign(claims())) == "clerk-1"  # both, while both are published
    key_server.publish(new)  # and the old one out
    time.sleep(0.6)  # the kept set expires
    assert "kid" in refused(tokens, old.sign(claims()))
    assert user(tokens, new.sign(claims())) == "clerk-1"


def test_an_unknown_kid_or_none_is_refused(key_server: KeyServer) -> None:
    key_server.publish(key("rsa-1"))
    tokens = service(key_server)
    stranger = Key("rsa-1", "RS256", key("rsa-other").private)  # a known kid, another key
    assert "签名" in refused(tokens, stranger.sign(claims()))
    assert "kid" in refused(tokens, key("rsa-other").sign(claims()))
    unnamed = jwt.encode(claims(), key("rsa-1").private, algorithm="RS256")
    assert "kid" in refused(tokens, unnamed)


def test_random_kids_do_not_flood_the_key_server(key_server: KeyServer) -> None:
    key_server.publish(key("rsa-1"))
    tokens = service(key_server, jwks_refetch_seconds=60)
    assert user(tokens, key("rsa-1").sign(claims())) == "clerk-1"
    for n in range(20):
        forged = Key(f"random-{n}", "RS256", key("rsa-other").private)
        refused(tokens, forged.sign(claims()))
    assert key_server.requests == 1


def test_the_key_server_down_is_refused_with_a_clear_reason(key_server: KeyServer) -> None:
    signer = key("rsa-1")
    key_server.publish(signer)
    key_server.stop()
    tokens = service(key_server)
    with pytest.raises(KeysUnavailable, match="JWKS") as caught:
        tokens.principal(f"Bearer {signer.sign(claims())}")
    assert "稍后重试" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b"oops"), (200, b"<html>not json</html>"), (200, b'{"keys": []}'), (200, b"[1]"),
     (200, b'{"keys": [{"kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0"}]}')],
)  # fmt: skip
def test_a_key_server_answering_no_usable_keys_is_unavailable(
    key_server: KeyServer, status: int, body: bytes
) -> None:
    key_server.status, key_server.body = status, body
    with pytest.raises(KeysUnavailable):
        service(key_server).principal(f"Bearer {key('rsa-1').sign(claims())}")


def test_keys_once_fetched_outlive_a_key_server_outage(key_server: KeyServer) -> None:
    signer = key("rsa-1")
    key_server.publish(signer)
    tokens = service(key_server, jwks_cache_seconds=0.1)
    assert user(tokens, signer.sign(claims())) == "clerk-1"
    key_server.stop()
    time.sleep(0.15)
    assert user(tokens, signer.sign(claims())) == "clerk-1"  # the last keys known still serve
    with pytest.raises(KeysUnavailable):  # a kid they do not know cannot be looked up
        tokens.principal(f"Bearer {key('ec-2', 'ES256').sign(claims())}")


def test_alg_none_and_hs256_against_a_public_key_are_refused(key_server: KeyServer) -> None:
    signer = key("rsa-1")
    secret = b"a-symmetric-key-published-in-the-jwks"
    key_server.keys = [
        signer.jwk(),
        {"kty": "oct", "kid": "hmac-1", "k": b64(secret), "alg": "HS256", "use": "sig"},
    ]
    tokens = service(key_server)
    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": "rsa-1"})
    assert "算法" in refused(tokens, unsigned)
    confused = hand_signed_hs256(claims(), signer.public_pem(), "rsa-1")
    assert "算法" in refused(tokens, confused)
    published = hand_signed_hs256(claims(), secret, "hmac-1")
    assert "kid" in refused(tokens, published)  # a symmetric key in a JWKS is never used
    as_es256 = jwt.encode(claims(), key("ec-2", "ES256").private, "ES256", {"kid": "rsa-1"})
    assert "算法" in refused(tokens, as_es256)  # the key's algorithm, not the token's say


def test_exp_issuer_audience_and_claims_are_checked_in_jwks_mode(key_server: KeyServer) -> None:
    signer = key("ec-1", "ES256")
    key_server.publish(signer)
    tokens = service(key_server)
    assert "exp" in refused(tokens, signer.sign(claims(exp=DROP)))
    assert "iss" in refused(tokens, signer.sign(claims(iss="xuke")))
    assert "iss" in refused(tokens, signer.sign(claims(iss=DROP)))
    assert "aud" in refused(tokens, signer.sign(claims(aud="xuke")))
    assert "aud" in refused(tokens, signer.sign(claims(aud=DROP)))
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert "过期" in refused(tokens, signer.sign(claims(exp=past)))
    assert "roles" in refused(tokens, signer.sign(claims(roles=None)))
    assert "org" in refused(tokens, signer.sign(claims(org=440000)))
    assert user(tokens, signer.sign(claims(aud=[AUDIENCE, "account"]))) == "clerk-1"


# -- over HTTP -----------------------------------------------------------------------------------


ME = "{ me { userId roles orgCode jurisdictionCode } }"


def unauthenticated(api: Api, token: str) -> str:
    """The answer to a token refused: 200 with a top-level UNAUTHENTICATED error, not a 500."""
    response = api.client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED", error
    message: str = error["message"]
    return message


def test_malformed_claims_are_unauthenticated_over_http(api: Api) -> None:
    secret = api.services.tokens.secret
    now = dt.datetime.now(dt.UTC)
    good = {
        "sub": "clerk-1", "roles": ["CLERK"], "org": "440000", "iss": "xuke", "aud": "xuke",
        "exp": now + dt.timedelta(minutes=5),
    }  # fmt: skip
    me = api.gql(ME, token=jwt.encode(good, secret, algorithm="HS256"))["data"]["me"]
    assert me["userId"] == "clerk-1" and me["roles"] == ["CLERK"]
    for bad, word in [
        ({"roles": None}, "roles"),
        ({"roles": "ADMIN"}, "roles"),
        ({"roles": ["ADMIN", "ROOT"]}, "roles"),
        ({"org": None}, "org"),
        ({"org": 440000}, "org"),
        ({"roles": ["APPLICANT"], "org": "440000"}, "org"),
        ({"jurisdiction": ["440000"]}, "jurisdiction"),
        ({"sub": "\ud800"}, "sub"),
        ({"sub": None}, "sub"),
        ({"sub": DROP}, "sub"),
        ({"name": {"first": "张"}}, "name"),
        ({"exp": DROP}, "exp"),
        ({"exp": None}, "exp"),
    ]:
        payload = {k: v for k, v in {**good, **bad}.items() if v is not DROP}
        message = unauthenticated(api, jwt.encode(payload, secret, algorithm="HS256"))
        assert word in message and "请先登录" in message, (bad, message)
    applicant = {**good, "roles": ["APPLICANT"], "org": ENTERPRISE_CODE, "jurisdiction": "440305"}
    me = api.gql(ME, token=jwt.encode(applicant, secret, algorithm="HS256"))["data"]["me"]
    assert me["orgCode"] == ENTERPRISE_CODE and me["jurisdictionCode"] == "440305"


def test_the_api_fixtures_tokens_carry_exp(api: Api) -> None:
    decoded = jwt.decode(api.token("clerk-1", Role.CLERK), options={"verify_signature": False})
    assert time.time() < decoded["exp"] <= time.time() + 12 * 3600
    assert api.gql(ME, token=api.token("clerk-1", Role.CLERK))["data"]["me"]["userId"] == "clerk-1"


def test_jwks_mode_over_http(api: Api, key_server: KeyServer) -> None:
    rsa_key, ec_key = key("rsa-1"), key("ec-1", "ES256")
    key_server.publish(rsa_key, ec_key)
    api.services.tokens = service(key_server)
    for signer in (rsa_key, ec_key):
        me = api.gql(ME, token=signer.sign(claims()))["data"]["me"]
        assert me == {
            "userId": "clerk-1", "roles": ["CLERK"], "orgCode": "440000",
            "jurisdictionCode": "440000",
        }  # fmt: skip
    assert "kid" in unauthenticated(api, key("rsa-other").sign(claims()))
    assert "roles" in unauthenticated(api, rsa_key.sign(claims(roles=None)))
    assert "iss" in unauthenticated(api, rsa_key.sign(claims(iss="xuke")))
    hs256 = jwt.encode(claims(), "x" * 32, algorithm="HS256", headers={"kid": "rsa-1"})
    assert "算法" in unauthenticated(api, hs256)
    api.services.tokens = service(key_server)  # nothing fetched yet, and then
    key_server.stop()  # the key server goes away: an outage (503, retry), not a bad token
    response = api.client.post(
        "/graphql",
        json={"query": ME},
        headers={"Authorization": f"Bearer {rsa_key.sign(claims())}"},
    )
    assert response.status_code == 503 and response.headers["Retry-After"]
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert "JWKS" in error["message"] and "稍后重试" in error["message"]
    public = api.client.post("/graphql", json={"query": "{ __typename }"})
    assert public.status_code == 200  # and what needs no token is still served
