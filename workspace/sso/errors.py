"""What a refused sign-in raises: one code each, with a sentence a person can act on."""

from __future__ import annotations

from workspace.errors import AppError, Forbidden


class SsoRefused(AppError):
    """The IdP's answer did not check out (or the IdP could not be asked); nothing was created."""

    code = "sso_refused"


class SsoRequired(Forbidden):
    code = "sso_required"


class TwoFactorRequired(Forbidden):
    code = "two_factor_required"
