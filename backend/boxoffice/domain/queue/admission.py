"""Admission tokens: a JWT bound to one buyer and one event, signed by the gateways.

`AdmissionTokens.require` is the one rule for a seat-taking write (a new hold, seats added, an
extension): the gateway applies it at the edge and booking applies it again (defence in depth), both
on the canonical event id and with the same key, so neither is the only lock.

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

ADMISSION_HEADER = "X-Admission-Token"
AUDIENCE = "boxoffice-admission"
ISSUER = "boxoffice-gateway"
ALGORITHM = "HS256"


def admission_key(internal_secret: str) -> bytes:
    return hmac.new(internal_secret.encode(), b"boxoffice waiting-room admission", hashlib.sha256).digest()


def admission_cookie(event_id: str) -> str:
    """The cookie the queue page gives an admitted browser (the gateway passes it on as the header)."""
    return f"bo_admit_{event_id}"


class AdmissionTokens:
    """Signs and checks admission tokens with one key."""

    def __init__(self, key: bytes):
        self._key = key

    def issue(self, *, user_id: str, event_id: str, admitted_ms: int, expires_ms: int) -> str:
        claims = {
            "sub": user_id,
            "evt": event_id,
            "iat": admitted_ms // 1000,
            "exp": expires_ms // 1000,
            "iss": ISSUER,
            "aud": AUDIENCE,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def require(self, token: str | None, *, user_id: str, event_id: str, waiting_room: bool) -> None:
        """Nothing if a seat-taking write of this buyer at this event may go ahead: the event has no
        waiting room, or `token` admits the buyer to it now; else AdmissionRequired (403)."""
        if waiting_room:
            self.check(token, user_id=user_id, event_id=event_id)

    def check(self, token: str | None, *, user_id: str, event_id: str) -> None:
        """Nothing if `token` admits this buyer to this event now; else AdmissionRequired (403)."""
        if not token:
            raise AdmissionRequired(
                event_id, "This event has a waiting room: send X-Admission-Token once the queue admits you"
            )
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["sub", "evt", "exp", "iat", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise AdmissionRequired(event_id, "Your admission has expired: join the queue again") from None
        except jwt.PyJWTError:
            raise AdmissionRequired(event_id, "The admission token is not valid") from None
        if claims["sub"] != user_id or claims["evt"] != event_id:
            raise AdmissionRequired(event_id, "The admission token is for another buyer or event")
