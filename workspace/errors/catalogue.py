"""Every error code a client can see: its one HTTP status and what to do about it.

A code reaches a client in a problem+json body (with its status) or in the ``error`` event of a
chat stream (the stream itself answered 200; the status says what the code means as a
response). Exception classes declare only their ``code`` and take the status from here, so one
code cannot answer with two statuses. ``docs/errors.md`` is this table rendered
(:mod:`workspace.errors.docs`); a test keeps the two equal, and another fails on a code written
in the source but missing here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One row of the catalogue."""

    code: str
    status: int
    meaning: str

    @property
    def title(self) -> str:
        """The problem document's ``title``: the code as words (``not_found`` -> "Not found")."""
        return self.code.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Section:
    """Codes that belong together, under a heading of docs/errors.md."""

    title: str
    codes: tuple[ErrorCode, ...]
    note: str = ""


def _rows(table: str) -> tuple[ErrorCode, ...]:
    """``code  status  meaning`` a line; a line that starts with spaces goes on with the meaning."""
    rows: list[list[str]] = []
    for line in table.strip("\n").splitlines():
        if line[:1].isspace():
            rows[-1][2] += " " + line.strip()
        else:
            rows.append(line.split(maxsplit=2))
    return tuple(ErrorCode(code, int(status), meaning) for code, status, meaning in rows)


_ANY_REQUEST = _rows("""
bad_request                    400  The request is malformed; fix it before sending again.
validation_error               400  A field is missing or has the wrong type; `errors` lists which.
invalid_encoding               400  The body is not UTF-8 text; send JSON or form text as UTF-8.
too_deeply_nested              400  The JSON nests deeper than `SWITCHBOARD_JSON_MAX_DEPTH`; flatten
                                    it.
invalid_characters             400  The text holds a NUL character, which cannot be stored; remove
                                    it.
invalid_input                  422  A value is not acceptable; `detail` (and `field`, when present)
                                    says which and why.
not_authenticated              401  Sign in, or send an API token as `Authorization: Bearer sb_...`.
csrf_failed                    403  A cookie-signed write lacks the session's `X-CSRF-Token`: send
                                    it, or reload the page.
forbidden                      403  You may not do this; ask someone who may.
permission_denied              403  Your role in this workspace lacks the permission named in
                                    `permission`; ask an admin.
not_found                      404  Nothing here, or nothing you may see; check the id and your
                                    workspace.
method_not_allowed             405  This address does not take this HTTP method; see `Allow`.
conflict                       409  Someone changed the same thing at the same moment: send the
                                    request again.
request_too_large              413  The body is over `SWITCHBOARD_MAX_BODY_BYTES` (an upload: over
                                    `SWITCHBOARD_ATTACHMENT_MAX_BYTES`); send less.
unsupported_media_type         415  Send the body as JSON (or form data where a page posts one).
rate_limited                   429  Too many requests (here, or at the provider for this key): wait
                                    `Retry-After` seconds.
internal_error                 500  A bug on our side; nothing was half-saved. Try again, and report
                                    it if it repeats.
server_error                   500  The server could not handle this request; try again, and report
                                    it if it repeats.
service_unavailable            503  A service this needs is down; try again shortly.
database_unavailable           503  The database cannot be reached; nothing was half-saved. Retry
                                    after `Retry-After`.
secret_store_unavailable       503  Vault cannot be reached, so no key can be read or stored; retry
                                    shortly.
""")

_ACCOUNTS_AND_WORKSPACES = _rows("""
invalid_login                  401  The email or password is wrong; check both.
login_rate_limited             429  Too many sign-in attempts; wait `Retry-After` seconds.
email_taken                    409  An account with this email exists; sign in instead.
weak_password                  422  The password is too easy to guess; choose a longer one of
                                    unrelated words.
last_owner                     409  A workspace needs an owner; make someone else owner first.
already_member                 409  You are already a member; open the workspace instead.
invite_invalid                 410  The invite link is used, expired or meant for someone else; ask
                                    for a new one.
only_creator_shares            403  Only the conversation's creator can share it or make it private.
""")

_SIGN_IN = _rows("""
sso_refused                    400  The identity provider's answer was refused (state, nonce, token
                                    or e-mail did not check out); nothing was created. Start the
                                    sign-in again, or ask the operator.
sso_required                   403  This workspace requires single sign-on: sign out, then sign in
                                    with the workspace's identity provider.
two_factor_required            403  This workspace requires two-factor sign-in: enrol an
                                    authenticator at /account/two-factor and sign in again with it.
second_factor_wrong            401  The authenticator or recovery code is wrong or already used.
""")

_TOKENS_AND_GATEWAY = _rows("""
token_expired                  401  The API token's expiry has passed; create a new token.
token_scope                    403  The API token's scope does not cover this (a `models` token only
                                    lists models); use an `api` token.
token_expiry_past              422  A token's `expires_at` must be a future time with its time zone.
token_needs_workspace          403  The gateway (`/v1/...`) needs a token made for one workspace
                                    (`POST /api/workspaces/{ws}/tokens`); an account token has none.
unsupported_parameter          422  The gateway does not take this parameter or value (`param`
                                    names it); leave it out.
invalid_conversation_header    422  `X-Switchboard-Conversation` is `new` or the id of a
                                    conversation of the token's workspace.
""")

_KEYS = _rows("""
no_key_available               409  No key serves this provider: add a workspace or own key, or send
                                    `X-Provider-Key`.
model_not_allowed              403  The workspace's policy does not allow this model; pick another
                                    or ask an admin.
invalid_credentials            422  The provider refused the key (revoked, mistyped, wrong
                                    provider); replace it.
credential_rejected            422  The new secret failed its check and was not stored; `validation`
                                    says why.
duplicate_label                409  A key with this label exists; pick another label.
unsafe_base_url                400  The base URL points at a private or unresolvable address; use a
                                    public http(s) URL.
provider_not_enabled           403  Off on this server: an operator can list it in
                                    `SWITCHBOARD_CREDENTIAL_FILE_PROVIDERS`.
credential_file_personal_only  403  Credential files are personal; add it under your own keys.
invalid_credential_file        422  The pasted file is not one this provider's CLI writes; paste it
                                    again, whole.
""")

_CREDITS_AND_BUDGETS = _rows("""
credits_exhausted              402  Too few credits for a platform-key call: add your own key, or
                                    wait for next month's.
budget_exceeded                402  A monthly budget is used up; an admin can raise it.
price_unknown                  422  The platform key cannot serve a model without a known price; use
                                    your own key.
""")

_CHAT_AND_COMPARE = _rows("""
model_not_found                422  No provider serves this model (or not to this key); pick one the
                                    model picker lists.
context_too_long               422  The conversation does not fit the model's window: shorten it or
                                    pick a larger model.
invalid_parent                 422  `parent_id` is not a message of this conversation.
answer_pending                 409  That message has no answer yet; wait for it, or continue a
                                    comparison on one lane.
invalid_request_key            422  Send `X-Provider` and `X-Provider-Key` together.
invalid_idempotency_key        422  The `Idempotency-Key` must be printable and not too long.
idempotency_key_reused         422  This `Idempotency-Key` was used for a different request; use a
                                    new key.
request_in_progress            409  A request with this `Idempotency-Key` is still running; retry
                                    once it has finished.
compare_model_count            422  A comparison takes between 2 and
                                    `SWITCHBOARD_COMPARE_MAX_MODELS` models.
compare_running                409  The comparison is still running; vote once every lane has ended.
already_voted                  409  This comparison already has a vote.
invalid_lane                   422  The lane number is out of range for this comparison.
""")

_PROVIDER_CALLS = _rows("""
provider_error                 502  The provider failed in a way it did not explain; try again or
                                    pick another model.
provider_unavailable           503  The provider is down, overloaded or unreachable; try again
                                    shortly or pick another model.
provider_permission_denied     403  The key is valid but may not use this model, region or feature;
                                    use another key or model.
quota_exhausted                402  The key's provider account is out of quota or billing; top it up
                                    at the provider.
cancelled                      499  The caller went away before the answer ended; the partial answer
                                    is kept.
""")


_FILES = _rows("""
attachment_unsupported         422  The file is not an image (PNG, JPEG, WebP, GIF), a PDF or UTF-8
                                    text; convert it, or paste its text.
attachment_empty               422  The file is empty; attach one with content.
attachment_not_image           422  The file is named like an image but its bytes are not PNG,
                                    JPEG, WebP or GIF; attach the real image.
pdf_encrypted                  422  The PDF is password-protected; attach an unprotected copy.
pdf_unreadable                 422  The PDF is damaged or its text cannot be read; export it again,
                                    or paste its text.
pdf_too_many_pages             422  The PDF has more pages than
                                    `SWITCHBOARD_ATTACHMENT_MAX_PDF_PAGES`; attach the pages you
                                    need.
too_many_attachments           422  A message carries at most `SWITCHBOARD_ATTACHMENT_MAX_FILES`
                                    attachments; send the rest with the next one.
model_without_vision           422  The model cannot read images; pick a model marked as reading
                                    images, or remove the image.
""")

_EXPORT_AND_IMPORT = _rows("""
invalid_import                 422  The file is not a Switchboard export or a ChatGPT
                                    conversations.json, or its tree is broken (a cycle, a parent
                                    outside it); `detail` names the conversation. Nothing was
                                    imported.
import_too_large               422  The file holds more conversations or messages than
                                    `SWITCHBOARD_IMPORT_MAX_CONVERSATIONS` /
                                    `SWITCHBOARD_IMPORT_MAX_MESSAGES` allow; split it. Nothing was
                                    imported.
""")

SECTIONS: Final = (
    Section("Any request", _ANY_REQUEST),
    Section("Accounts and workspaces", _ACCOUNTS_AND_WORKSPACES),
    Section("Sign-in: single sign-on and two-factor", _SIGN_IN),
    Section("API tokens and the gateway", _TOKENS_AND_GATEWAY),
    Section("Keys", _KEYS),
    Section("Credits and budgets", _CREDITS_AND_BUDGETS),
    Section("Chat and compare", _CHAT_AND_COMPARE),
    Section("Export and import", _EXPORT_AND_IMPORT),
    Section("Files and images", _FILES),
    Section(
        "Provider calls",
        _PROVIDER_CALLS,
        note=(
            "A failed model call ends its chat stream with an `error` event carrying one of these "
            "codes, or one listed above (`invalid_credentials`, `rate_limited`, `model_not_found`, "
            "`context_too_long`, `bad_request`, `unsafe_base_url`, `invalid_credential_file`). "
            '499 is nginx\'s "client closed request".'
        ),
    ),
)
"""The catalogue in the order docs/errors.md shows it."""


def _index(sections: tuple[Section, ...]) -> Mapping[str, ErrorCode]:
    index: dict[str, ErrorCode] = {}
    for entry in (e for section in sections for e in section.codes):
        if entry.code in index:
            raise ValueError(f"error code {entry.code!r} is in the catalogue twice")
        index[entry.code] = entry
    return MappingProxyType(index)


CATALOGUE: Final = _index(SECTIONS)
"""Every code, by name."""


def status_of(code: str) -> int:
    """The HTTP status of ``code``; a code missing from the catalogue is a programming error."""
    try:
        return CATALOGUE[code].status
    except KeyError:
        raise KeyError(
            f"error code {code!r} is not in workspace/errors/catalogue.py: add it there"
        ) from None
