from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from boxoffice.services.common.validation import Body


class Registration(Body):
    email: EmailStr
    password: str = Field(min_length=10, max_length=256)
    name: str = Field(min_length=1, max_length=120)
    role: Literal["buyer", "organizer"] = "buyer"


class Credentials(Body):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)
