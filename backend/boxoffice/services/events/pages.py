"""Pages: log in, register, log out (the session cookie); the organizer's venues and events."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from boxoffice.domain.accounts import service as accounts
from boxoffice.domain.accounts.schemas import Credentials, Registration
from boxoffice.errors import BadCredentials, EmailTaken, ValidationFailed
from boxoffice.infra.passwords import Passwords
from boxoffice.infra.tokens import TokenIssuer
from boxoffice.services.common.pages import (SESSION_COOKIE, Pages, add_page_errors, field_messages, form_value,
                                             local_url, page_renderer, redirect)
from boxoffice.services.common.validation import validate

bp = Blueprint("events_pages")
add_page_errors(bp, page_renderer)


@bp.get("/login")
async def login_form(request: Request, pages: Pages) -> HTTPResponse:
    return pages.render(request, "pages/login.html", next=local_url(request.args.get("next")), email="", errors={})


@bp.post("/login")
async def login(request: Request, pages: Pages, passwords: Passwords, tokens: TokenIssuer) -> HTTPResponse:
    email, target = form_value(request, "email"), local_url(form_value(request, "next"))
    try:
        form = validate(Credentials, {"email": email, "password": request.form.get("password", "")})
        answer = await accounts.issue_token(form=form, passwords=passwords, tokens=tokens)
    except (BadCredentials, ValidationFailed) as exc:
        message = "That email and password do not match an account." if isinstance(exc, BadCredentials) else ""
        errors = field_messages(exc.extra.get("errors", [])) | ({"form": message} if message else {})
        return pages.render(request, "pages/login.html", fragment="partials/login_form.html", status=422,
                            next=target, email=email, errors=errors)
    return _signed_in(request, answer, target)


@bp.get("/register")
async def register_form(request: Request, pages: Pages) -> HTTPResponse:
    role = "organizer" if request.args.get("role") == "organizer" else "buyer"
    return pages.render(request, "pages/register.html", values={"role": role}, errors={},
                        next=local_url(request.args.get("next")))


@bp.post("/register")
async def register(request: Request, pages: Pages, passwords: Passwords, tokens: TokenIssuer) -> HTTPResponse:
    values = {name: form_value(request, name) for name in ("email", "name", "role")}
    target = local_url(form_value(request, "next"), "/organizer" if values["role"] == "organizer" else "/")
    try:
        form = validate(Registration, values | {"password": request.form.get("password", "")})
        await accounts.register(form=form, passwords=passwords)
        answer = await accounts.issue_token(form=Credentials(email=form.email, password=form.password),
                                            passwords=passwords, tokens=tokens)
    except (EmailTaken, ValidationFailed) as exc:
        errors = field_messages(exc.extra.get("errors", [])) if isinstance(exc, ValidationFailed) else {
            "email": "An account with this email already exists. Log in instead?"}
        return pages.render(request, "pages/register.html", fragment="partials/register_form.html", status=422,
                            values=values, errors=errors, next=target)
    return _signed_in(request, answer, target)


@bp.get("/logout")
async def logout_form(request: Request, pages: Pages) -> HTTPResponse:
    return pages.render(request, "pages/logout.html")


@bp.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    response = redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request, answer: dict, target: str) -> HTTPResponse:
    """The token goes into an HttpOnly cookie that lives as long as the token."""
    response = redirect(request, target)
    response.add_cookie(SESSION_COOKIE, answer["access_token"], path="/", httponly=True, samesite="Lax",
                        secure=request.headers.get("X-Forwarded-Proto") == "https", max_age=answer["expires_in"])
    response.headers["Cache-Control"] = "no-store"
    return response
