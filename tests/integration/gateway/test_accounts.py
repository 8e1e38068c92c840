"""Accounts through nginx -> gateway -> events: register, token, me."""

from __future__ import annotations

import uuid

from tests.support import PASSWORD, assert_problem


def _email() -> str:
    return f"acct-{uuid.uuid4().hex[:10]}@example.com"


def test_register_returns_the_user_without_any_password(api):
    email = _email()
    response = api.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "name": "Ann", "role": "buyer"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == email and body["roles"] == ["buyer"] and body["id"]
    assert "password" not in response.text and "argon2" not in response.text


def test_duplicate_email_is_a_409_even_in_other_case(api):
    email = _email()
    form = {"email": email, "password": PASSWORD, "name": "Ann", "role": "buyer"}
    assert api.post("/api/auth/register", json=form).status_code == 201
    assert_problem(api.post("/api/auth/register", json=form | {"email": email.upper()}), 409)


def test_weak_password_is_a_422_naming_the_field(api):
    body = assert_problem(
        api.post("/api/auth/register", json={"email": _email(), "password": "short", "name": "A"}), 422
    )
    assert body["errors"] == [{"field": "password", "message": "String should have at least 10 characters"}]


def test_token_then_me_returns_the_caller(api):
    user = api.new_user("organizer")
    me = api.get("/api/me", user=user)
    assert me.status_code == 200
    assert me.json()["id"] == user.id and me.json()["roles"] == ["organizer"]


def test_token_has_the_documented_shape(api):
    user = api.new_user()
    response = api.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"].count(".") == 2


def test_wrong_password_and_unknown_email_get_the_same_401(api):
    user = api.new_user()
    wrong = assert_problem(api.post("/api/auth/token", json={"email": user.email, "password": "not the password"}), 401)
    unknown = assert_problem(api.post("/api/auth/token", json={"email": _email(), "password": "not the password"}), 401)
    strip = lambda b: {k: v for k, v in b.items() if k != "correlation_id"}  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_me_without_a_token_is_401(api):
    assert_problem(api.get("/api/me"), 401)


def test_role_cannot_be_anything_but_buyer_or_organizer(api):
    body = assert_problem(
        api.post("/api/auth/register", json={"email": _email(), "password": PASSWORD, "name": "A", "role": "operator"}),
        422,
    )
    assert body["errors"][0]["field"] == "role"
