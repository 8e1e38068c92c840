"""Every forged, expired or misdirected token is a 401 at the gateway."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support import assert_problem


def _claims(user_id: str, **over) -> dict:
    now = int(time.time())
    return {
        "sub": user_id,
        "roles": ["buyer"],
        "iat": now,
        "exp": now + 600,
        "iss": "boxoffice",
        "aud": "boxoffice-api",
    } | over


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _forgeries(user_id: str, real_token: str, secret: str) -> dict[str, str]:
    key = _rsa_key()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header, payload, signature = real_token.split(".")
    tampered = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered["roles"] = ["organizer", "operator"]
    return {
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(user_id))}.",
        "rs256_with_attacker_key": jwt.encode(_claims(user_id), key, algorithm="RS256"),
        "hs256_signed_with_a_public_key": _hs256_raw(_claims(user_id), public_pem),
        "expired": jwt.encode(_claims(user_id, exp=int(time.time()) - 5, iat=int(time.time()) - 700), secret),
        "wrong_audience": jwt.encode(_claims(user_id, aud="someone-else"), secret),
        "wrong_issuer": jwt.encode(_claims(user_id, iss="evil"), secret),
        "missing_exp": jwt.encode({k: v for k, v in _claims(user_id).items() if k != "exp"}, secret),
        "wrong_secret": jwt.encode(_claims(user_id), "another secret entirely, long enough"),
        "tampered_payload": f"{header}.{_b64(tampered)}.{signature}",
        "garbage": "not-a-jwt",
    }


def _hs256_raw(claims: dict, secret: bytes) -> str:
    """HS256 by hand: PyJWT refuses PEM keys as HMAC secrets, an attacker does not."""
    import hashlib
    import hmac

    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "attack",
    [
        "alg_none",
        "rs256_with_attacker_key",
        "hs256_signed_with_a_public_key",
        "expired",
        "wrong_audience",
        "wrong_issuer",
        "missing_exp",
        "wrong_secret",
        "tampered_payload",
        "garbage",
    ],
)
def test_forged_tokens_are_refused_with_401(api, stack, attack):
    user = api.new_user()
    token = _forgeries(user.id, user.token, stack.service_env()["BOXOFFICE_JWT_SECRET"])[attack]
    response = api.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_the_genuine_token_is_accepted(api, stack):
    user = api.new_user()
    assert api.get("/api/me", user=user).status_code == 200
    resigned = jwt.encode(_claims(user.id), stack.service_env()["BOXOFFICE_JWT_SECRET"])
    assert (
        api.get("/api/me", headers={"Authorization": f"Bearer {resigned}"}).status_code == 200
    )  # the forgeries' control


def test_a_non_bearer_authorization_scheme_is_401(api):
    assert_problem(api.get("/api/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
