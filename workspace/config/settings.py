"""Typed settings read once from the environment.

Every limit the app enforces is a named field here, so an operator can find and change it and the
README's configuration table can list it. Names are ``SWITCHBOARD_<FIELD>`` except the few that
the wider ecosystem already names (``DATABASE_URL``, ``VAULT_*``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All configuration of one Switchboard process."""

    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_", extra="ignore", frozen=True)

    # --- where things live -------------------------------------------------------------------
    data_dir: Path = Field(Path(".data"), description="Embedded PostgreSQL/OpenBao data and state.")
    host: str = Field("127.0.0.1", description="Interface the HTTP server binds.")
    port: int = Field(8000, description="Port the HTTP server binds.")
    public_url: str = Field("", description="External URL (links in invites); default from host.")
    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABASE_URL", "SWITCHBOARD_DATABASE_URL"),
        description="postgresql+asyncpg://... ; unset = start embedded PostgreSQL in data_dir.",
    )
    shutdown_grace_s: float = Field(
        30.0,
        description="On SIGTERM or Ctrl-C, seconds open requests and streams get to finish "
        "before they are cancelled (keep below the pod's terminationGracePeriodSeconds).",
    )
    gc_freeze_at_start: bool = Field(
        True,
        description="Once started, take what start-up built out of Python's full garbage "
        "collections (gc.freeze): each then pauses the process ~20 ms rather than ~260 ms.",
    )
    database_statement_cache: bool = Field(
        True,
        description="asyncpg's prepared-statement caches; false when DATABASE_URL goes through "
        "PgBouncer in transaction mode (statements are then unnamed-unique and never reused).",
    )
    database_pool_size: int = Field(
        25,
        ge=1,
        description="PostgreSQL connections each replica keeps open for requests (opened as the "
        "load needs them, then kept).",
    )
    database_max_overflow: int = Field(
        5,
        ge=0,
        description="Extra connections a replica may open above the pool under load; each is "
        "closed as soon as it is returned, so a pool too small for the load reconnects all the "
        "time.",
    )
    database_ping_idle_s: float = Field(
        30.0,
        description="A pooled PostgreSQL connection idle longer than this is pinged before use "
        "(and replaced if dead, e.g. after a failover); a busy pool never pings.",
    )
    lookup_cache_ttl_s: float = Field(
        60.0,
        description="Seconds a replica keeps who-may-do-what lookups (session or token to "
        "account, membership, sign-in policy, key policy, plan, budgets, which keys exist); any "
        "change to them evicts them on every replica at once through PostgreSQL NOTIFY, and "
        "the cache is off while that LISTEN connection is down; 0 = no cache.",
    )
    database_listen_url: str | None = Field(
        None,
        description="Direct (session) PostgreSQL URL for the secret-eviction LISTEN connection, "
        "when DATABASE_URL goes through PgBouncer in transaction mode; unset = DATABASE_URL.",
    )
    eviction_check_interval_s: float = Field(
        5.0, description="How often the LISTEN connection is probed (finds silent network cuts)."
    )
    eviction_reconnect_max_s: float = Field(
        5.0, description="Longest wait between reconnects of the LISTEN connection (backoff)."
    )
    log_format: Literal["console", "json"] = Field("console", description="json in production.")
    log_level: str = Field("INFO", description="Root log level.")

    # --- Vault / OpenBao ---------------------------------------------------------------------
    vault_addr: str | None = Field(
        None,
        validation_alias=AliasChoices("VAULT_ADDR", "SWITCHBOARD_VAULT_ADDR"),
        description="Vault URL; unset = start embedded OpenBao (raft storage) in data_dir.",
    )
    vault_auth_method: Literal["approle", "kubernetes", "token"] = Field(
        "approle",
        validation_alias=AliasChoices("VAULT_AUTH_METHOD", "SWITCHBOARD_VAULT_AUTH_METHOD"),
    )
    vault_role_id: str | None = Field(None, validation_alias=AliasChoices("VAULT_ROLE_ID"))
    vault_secret_id_file: Path | None = Field(
        None,
        validation_alias=AliasChoices("VAULT_SECRET_ID_FILE"),
        description="File holding the AppRole secret id (kept out of the environment).",
    )
    vault_token_file: Path | None = Field(None, validation_alias=AliasChoices("VAULT_TOKEN_FILE"))
    vault_k8s_role: str = Field("switchboard", validation_alias=AliasChoices("VAULT_K8S_ROLE"))
    vault_kv_mount: str = Field("switchboard", validation_alias=AliasChoices("VAULT_KV_MOUNT"))
    vault_timeout_s: float = Field(5.0, description="Timeout of one Vault HTTP call.")
    vault_cache_ttl_s: float = Field(60.0, description="Secret cache lifetime in the process.")
    vault_cache_max_entries: int = Field(1024, description="Secrets cached per process at most.")

    # --- accounts and sessions ----------------------------------------------------------------
    session_ttl_hours: int = Field(24 * 14, description="Absolute lifetime of a login session.")
    session_cookie_secure: Literal["auto", "always", "never"] = Field(
        "auto", description="Secure cookie flag: auto = when the request came over TLS."
    )
    password_min_length: int = Field(10, description="Shortest password accepted at sign-up.")
    login_limit_per_account: int = Field(
        10, description="Failed logins per account from one client IP per window."
    )
    login_limit_per_account_all_ips: int = Field(
        100, description="Failed logins per account from all client IPs together per window."
    )
    login_limit_per_ip: int = Field(50, description="Login attempts per client IP per window.")
    login_window_s: int = Field(900, description="Length of the login rate-limit window.")
    trust_forwarded_for: bool = Field(False, description="Take the client IP from X-Forwarded-For.")
    invite_ttl_hours: int = Field(72, description="How long an invite link stays valid.")
    api_tokens_per_user: int = Field(50, description="Live API tokens one user may hold.")
    key_checks_per_hour: int = Field(
        60, description="Key checks without storing (POST /api/keys/check) per user per hour."
    )

    # --- single sign-on and two-factor ---------------------------------------------------------
    sso_providers: str = Field(
        "",
        description="JSON list of OpenID Connect providers (id, label, issuer, client_id, "
        "scopes, groups_claim, allowed_domains); client secrets live in Vault, not here.",
    )
    sso_clock_skew_s: int = Field(
        60, description="Clock skew allowed when checking an ID token's exp, iat and nbf."
    )
    sso_flow_ttl_s: int = Field(600, description="How long a started SSO sign-in may take.")
    sso_http_timeout_s: float = Field(10.0, description="Timeout of one call to an IdP.")
    sso_metadata_ttl_s: float = Field(
        3600.0, description="How long an IdP's discovery document and keys are cached."
    )
    sso_allow_private_issuers: bool = Field(
        False,
        description="Let configured issuers be on loopback/private addresses (an internal IdP).",
    )
    totp_issuer: str = Field("Switchboard", description="Issuer name shown in authenticator apps.")
    totp_recovery_codes: int = Field(10, description="Recovery codes issued at 2FA enrolment.")
    second_factor_ttl_s: int = Field(
        300, description="How long a right password waits for its second factor."
    )
    sso_max_groups: int = Field(
        200, description="Most IdP groups read per sign-in, and group-role lines per workspace."
    )

    # --- request limits -------------------------------------------------------------------------
    max_body_bytes: int = Field(1_048_576, description="Largest accepted request body.")
    json_max_depth: int = Field(
        64, description="Deepest nesting of arrays/objects a JSON request body may have."
    )
    page_size_max: int = Field(200, description="Largest page a list route returns.")

    # --- providers ----------------------------------------------------------------------------
    openai_base_url: str = Field("https://api.openai.com/v1", description="OpenAI SDK base_url.")
    anthropic_base_url: str = Field("https://api.anthropic.com", description="Anthropic base_url.")
    gemini_base_url: str = Field(
        "https://generativelanguage.googleapis.com", description="google-genai base_url."
    )
    groq_base_url: str = Field("https://api.groq.com/openai/v1", description="Groq base_url.")
    code_assist_base_url: str = Field(
        "https://cloudcode-pa.googleapis.com", description="Gemini CLI (Code Assist) endpoint."
    )
    google_token_url: str = Field("https://oauth2.googleapis.com/token")
    qwen_token_url: str = Field("https://chat.qwen.ai/api/v1/oauth2/token")
    claude_token_url: str = Field("https://platform.claude.com/v1/oauth/token")
    credential_file_providers: str = Field(
        "",
        description="Comma list of credential-file logins members may paste (gemini_cli, "
        "claude_code, qwen_code); empty = none. Vendors' terms may forbid this use.",
    )
    google_oauth_client_id: str = Field("", description="Gemini CLI's OAuth client id.")
    google_oauth_client_secret: str = Field("", description="Gemini CLI's OAuth client secret.")
    qwen_oauth_client_id: str = Field("", description="Qwen Code's OAuth client id.")
    claude_oauth_client_id: str = Field("", description="Claude Code's OAuth client id.")
    oauth_refresh_margin_s: int = Field(300, description="Refresh a login this long before expiry.")
    allow_private_base_urls: bool = Field(
        False, description="Let user base URLs reach private/loopback addresses (SSRF guard off)."
    )
    adapters_allow: str = Field("", description="Comma list of adapter plugins to load; empty=all.")
    platform_max_output_tokens: int = Field(
        4096,
        description="Most output tokens a platform-key call may produce (its hold covers them).",
    )
    sse_keepalive_s: float = Field(
        15.0, description="Seconds of silence before an SSE keep-alive comment is sent."
    )
    idempotency_stale_s: float = Field(
        600.0, description="A request still 'running' this long is taken over by its retry."
    )
    compare_max_models: int = Field(6, description="Most models one compare may fan out to.")
    search_query_max_chars: int = Field(200, description="Longest search query accepted.")
    search_max_terms: int = Field(10, description="Words of a search query used (others ignored).")
    search_results_max: int = Field(50, description="Most conversations one search returns.")
    import_max_bytes: int = Field(
        20_971_520,
        description="Largest file an import accepts (JSON export or conversations.json).",
    )
    import_max_conversations: int = Field(
        200, description="Most conversations one import may create."
    )
    import_max_messages: int = Field(
        5000, description="Most messages one imported conversation may hold."
    )
    attachment_max_bytes: int = Field(
        10_485_760, description="Largest file one attachment upload may be (bytes)."
    )
    attachment_max_files: int = Field(10, description="Most attachments one message may carry.")
    attachment_max_text_chars: int = Field(
        100_000, description="Characters of an attached file's text sent to the model at most."
    )
    attachment_max_pdf_pages: int = Field(
        200, description="Most pages an attached PDF may have (longer ones are refused)."
    )
    stream_checkpoint_s: float = Field(
        1.0,
        description="How often a streaming answer's text is saved (a crash loses at most this).",
    )
    call_unread_s: float = Field(
        60.0,
        description="A model call is sent before its records are committed; if its answer is "
        "not being read after this many seconds (the request failed), the call is cancelled.",
    )
    call_lease_s: float = Field(
        15.0, description="A model call whose process stopped renewing it this long is recovered."
    )
    sweep_interval_s: float = Field(
        5.0, description="How often each process looks for model calls to recover."
    )
    cost_preview_output_tokens: int = Field(
        500, description="Answer length the picker's cost preview assumes for the next turn."
    )
    model_list_ttl_s: float = Field(
        600.0, description="How long a provider's model list, fetched with one key, is reused."
    )
    model_list_retry_s: float = Field(
        60.0,
        description="After a provider's model list failed, seconds before asking it again (the "
        "static catalogue serves meanwhile).",
    )
    model_list_timeout_s: float = Field(
        5.0, description="Longest wait for one provider's model list before the static one serves."
    )
    model_list_refresh_s: float = Field(
        300.0,
        description="How often each process fetches expired model lists again in the "
        "background; 0 = only when asked (a catalogue request or POST .../models/refresh).",
    )
    unattached_upload_max_age_hours: float = Field(
        24.0, description="Uploads never attached to a message are deleted after this many hours."
    )
    provider_timeout_s: float = Field(120.0, description="Read timeout of one provider call.")
    provider_connect_timeout_s: float = Field(10.0, description="Connect timeout to a provider.")
    provider_http_transport: Literal["aiohttp", "httpx"] = Field(
        "aiohttp",
        description="The provider SDKs' HTTP transport: aiohttp (the SDKs' documented "
        "DefaultAioHttpClient, less CPU per call) or httpx (the SDKs' default).",
    )

    @property
    def resolved_public_url(self) -> str:
        """The URL people reach the app at, for links and the start-up banner."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"
