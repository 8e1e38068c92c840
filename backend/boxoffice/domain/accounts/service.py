"""Accounts: register, exchange credentials for a token, read the caller."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from boxoffice.domain.accounts.models import User
from boxoffice.domain.accounts.schemas import Credentials, Registration
from boxoffice.errors import BadCredentials, EmailTaken, NotFound
from boxoffice.infra.passwords import Passwords
from boxoffice.infra.tokens import TokenIssuer


def public(user: User) -> dict:
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "roles": list(user.roles),
        "created_at": user.created_at.isoformat().replace("+00:00", "Z"),
    }


async def register(*, form: Registration, passwords: Passwords) -> dict:
    """Create a user; the email is compared case-insensitively."""
    email = form.email.lower()
    if await User.exists(email=email):
        raise EmailTaken("An account with this email already exists")
    try:
        user = await User.create(
            email=email, name=form.name, roles=[form.role], password_hash=await passwords.hash(form.password)
        )
    except IntegrityError:
        raise EmailTaken("An account with this email already exists") from None
    return public(user)


async def issue_token(*, form: Credentials, passwords: Passwords, tokens: TokenIssuer) -> dict:
    """The same 401 whether the email is unknown or the password wrong, in about the same time."""
    user = await User.get_or_none(email=form.email.lower())
    if not await passwords.verify(user.password_hash if user else None, form.password) or user is None:
        raise BadCredentials("Invalid email or password")
    return {"access_token": tokens.issue(str(user.id), user.roles), "token_type": "Bearer", "expires_in": tokens.ttl_s}


async def get_user(*, user_id: str) -> dict:
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("No such user")
    return public(user)
