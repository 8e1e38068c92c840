"""TokenIssuer with RS256: the verifying side never accepts what the configuration does not name."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from boxoffice.config import Config, ConfigError
from boxoffice.errors import Unauthorized
from boxoffice.infra.tokens import TokenIssuer


def _pem_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def rs256():
    private, public = _pem_pair()
    return TokenIssuer(Config(jwt_algorithms=("RS256",), jwt_private_key=private, jwt_public_key=public)), public


def test_rs256_tokens_round_trip(rs256):
    issuer, _ = rs256
    identity = issuer.verify(issuer.issue("user-1", ["buyer"]))
    assert identity.user_id == "user-1" and identity.roles == ("buyer",)


def test_hs256_token_signed_with_the_public_key_is_refused(rs256):
    issuer, public = rs256
    now = int(time.time())
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}." + _b64(
        {"sub": "x", "roles": ["operator"], "iat": now, "exp": now + 60, "iss": "boxoffice", "aud": "boxoffice-api"}
    )
    mac = hmac.new(public.encode(), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(Unauthorized):
        issuer.verify(f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}")


def test_a_token_of_another_rsa_key_is_refused(rs256):
    issuer, _ = rs256
    other_private, other_public = _pem_pair()
    forger = TokenIssuer(Config(jwt_algorithms=("RS256",), jwt_private_key=other_private, jwt_public_key=other_public))
    with pytest.raises(Unauthorized):
        issuer.verify(forger.issue("user-1", ["buyer"]))


def test_configuration_never_accepts_alg_none():
    with pytest.raises(ConfigError):
        Config(jwt_algorithms=("none",)).check()


def test_production_refuses_the_placeholder_secret():
    with pytest.raises(ConfigError):
        Config(env="production").check()
    Config(env="production", jwt_secret="x" * 40, internal_secret="y" * 40).check()


def test_from_env_reads_prefixed_variables_and_rate_limits():
    config = Config.from_env(
        {
            "BOXOFFICE_HOLD_TTL_S": "30",
            "BOXOFFICE_JWT_ALGORITHMS": "HS256,HS512",
            "BOXOFFICE_RATE_LIMITS": '{"search": {"replenish_rate": 5, "burst_capacity": 7}}',
        }
    )
    assert config.hold_ttl_s == 30 and config.jwt_algorithms == ("HS256", "HS512")
    assert config.rate_limits["search"].burst_capacity == 7 and config.rate_limits["booking_write"].replenish_rate == 10


def test_a_remembered_token_still_expires(monkeypatch):
    issuer = TokenIssuer(Config(jwt_ttl_s=60))
    token = issuer.issue("user-1", ["buyer"])
    assert issuer.verify(token).user_id == "user-1"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Unauthorized):
        issuer.verify(token)
