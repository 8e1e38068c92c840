"""Admission tokens: a JWT bound to one buyer and one event, signed by the gateways.

HS256 with a key derived from the internal secret (so every gateway can sign and check, and the key
signs nothing else) and an audience of its own, so an access token is never an admission and vice
versa. A token is a pure function of the admission record in Redis (who, which event, admitted and
expiry times): any gateway hands out the same token for the same admission, and no token needs
storing.
"""

from __future__ import annotations

import hashlib
import hmac

import jwt

from boxoffice.errors import AdmissionRequired

AUDIENCE = "boxoffice-admission"
ISSUER = "boxoffice-gateway"
ALGORITHM = "HS256"


def admission_key(internal_secret: str) -> bytes:
    return hmac.new(internal_secret.encode(), b"boxoffice waiting-room admission", hashlib.sha256).digest()


class AdmissionTokens:
    """Signs and checks admission tokens with one key."""

    def __init__(self, key: bytes):
        self._key = key

    def issue(self, *, user_id: str, event_id: str, admitted_ms: int, expires_ms: int) -> str:
        claims = {"sub": user_id, "evt": event_id, "iat": admitted_ms // 1000, "exp": expires_ms // 1000,
                  "iss": ISSUER, "aud": AUDIENCE}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def check(self, token: str | None, *, user_id: str, event_id: str) -> None:
        """Nothing if `token` admits this buyer to this event now; else AdmissionRequired (403)."""
        if not token:
            raise AdmissionRequired(event_id, "This event has a waiting room: send X-Admission-Token "
                                              "once the queue admits you")
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["sub", "evt", "exp", "iat", "aud", "iss"]})
        except jwt.ExpiredSignatureError:
            raise AdmissionRequired(event_id, "Your admission has expired: join the queue again") from None
        except jwt.PyJWTError:
            raise AdmissionRequired(event_id, "The admission token is not valid") from None
        if claims["sub"] != user_id or claims["evt"] != event_id:
            raise AdmissionRequired(event_id, "The admission token is for another buyer or event")
