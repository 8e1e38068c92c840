"""JWT access tokens. Accepted algorithms come from configuration, never from the token."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from boxoffice.config import Config
from boxoffice.errors import Unauthorized


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str
    roles: tuple[str, ...]

    def has(self, role: str) -> bool:
        return role in self.roles


class TokenIssuer:
    """Signs and verifies access tokens with the configured algorithm and keys."""

    CACHE_SIZE = 50_000

    def __init__(self, config: Config):
        self.algorithms = list(config.jwt_algorithms)
        self.issuer, self.audience, self.ttl_s = config.jwt_issuer, config.jwt_audience, config.jwt_ttl_s
        symmetric = self.algorithms[0].startswith("HS")
        self._signing_key = config.jwt_secret if symmetric else config.jwt_private_key
        self._verify_key = config.jwt_secret if symmetric else config.jwt_public_key
        self._verified: dict[str, tuple[Identity, float]] = {}

    def issue(self, user_id: str, roles: list[str] | tuple[str, ...]) -> str:
        now = int(time.time())
        claims = {
            "sub": user_id,
            "roles": list(roles),
            "iat": now,
            "exp": now + self.ttl_s,
            "iss": self.issuer,
            "aud": self.audience,
        }
        return jwt.encode(claims, self._signing_key, algorithm=self.algorithms[0])

    def verify(self, token: str) -> Identity:
        """The identity a token proves; verified tokens are remembered until they expire."""
        cached = self._verified.get(token)
        if cached is not None:
            if cached[1] > time.time():
                return cached[0]
            del self._verified[token]
            raise Unauthorized("The access token has expired")
        identity, expires = self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))  # oldest first: dicts keep insertion order
        self._verified[token] = (identity, expires)
        return identity

    def _verify(self, token: str) -> tuple[Identity, float]:
        try:
            claims = jwt.decode(
                token,
                self._verify_key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["sub", "exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is invalid or expired", private={"reason": str(exc)}) from exc
        roles = claims.get("roles")
        if not isinstance(claims["sub"], str) or not isinstance(roles, list):
            raise Unauthorized("The access token is malformed")
        return Identity(claims["sub"], tuple(str(r) for r in roles)), float(claims["exp"])
