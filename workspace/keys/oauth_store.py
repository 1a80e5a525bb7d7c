"""`OAuthTokenStore` over Vault and a PostgreSQL advisory lock, for one credential-file login.

The lock is a session-level advisory lock held on a dedicated connection for the whole
refresh, so exactly one process in the deployment refreshes a given login at a time; the
others wait, re-read Vault inside the lock and find the fresh tokens. Writes are check-and-set
against the version read inside the lock, and every write tells all replicas to drop the
cached copy.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import CredentialFileProvider, OAuthCredential, fingerprint
from workspace.keys.models import Credential, vault_path
from workspace.secrets.eviction import announce
from workspace.secrets.vault import SecretStore

log = logging.getLogger(__name__)

KIND = "oauth_credentials"
FIELD = "credentials_json"
EXPIRED_MESSAGE = (
    "This login has expired or was revoked. Sign in again with the CLI and paste the fresh "
    "credential file."
)


def lock_key(credential_id: uuid.UUID) -> int:
    """The advisory-lock key of a credential: its UUID's first 8 bytes as a signed int64."""
    return int.from_bytes(credential_id.bytes[:8], "big", signed=True)


def decode(data: dict[str, str]) -> dict[str, object]:
    """The credential file stored at a Vault path."""
    value = json.loads(data[FIELD])
    if not isinstance(value, dict):
        raise ValueError("stored credential file is not a JSON object")
    return value


class VaultOAuthStore:
    """One credential-file login: Vault holds the file, PostgreSQL the lock and the status."""

    def __init__(
        self,
        engine: AsyncEngine,
        secrets: SecretStore,
        credential: Credential,
        *,
        refresh_token_of: Callable[[dict[str, object]], str] | None = None,
    ) -> None:
        self._engine = engine
        self._secrets = secrets
        self._id = credential.id
        self._path = vault_path(credential)
        self._version: int | None = None
        self._refresh_token_of = refresh_token_of

    @property
    def path(self) -> str:
        return self._path

    async def lock(self) -> AbstractAsyncContextManager[None]:
        return self._advisory_lock()

    @asynccontextmanager
    async def _advisory_lock(self) -> AsyncIterator[None]:
        key = lock_key(self._id)
        async with self._engine.connect() as conn:
            # Session-level lock: it lives on this connection, outside any transaction, until
            # unlocked (or the connection dies, which also releases it).
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            acquired = False
            try:
                await conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
                acquired = True
                yield
            finally:
                await self._unlock(conn, key, acquired)

    @staticmethod
    async def _unlock(conn: AsyncConnection, key: int, acquired: bool) -> None:
        try:
            if acquired:
                await conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            else:
                # Cancelled while waiting: the lock may have been granted anyway, so never
                # hand this connection back to the pool.
                await conn.invalidate()
        except Exception:
            log.warning("advisory unlock failed; dropping the connection", exc_info=True)
            await conn.invalidate()

    async def load(self) -> dict[str, object]:
        data, version = await self._secrets.read(self._path, use_cache=False)
        self._version = version
        return decode(data)

    async def save(self, data: dict[str, object]) -> None:
        if self._version is None:
            await self.load()
        version = await self._secrets.write(
            self._path, {FIELD: json.dumps(data)}, cas=self._version
        )
        self._version = version
        async with AsyncSession(self._engine) as session:
            values: dict[str, object] = {"vault_version": version}
            refresh_token = self._refresh_token_of(data) if self._refresh_token_of else ""
            if refresh_token:
                values["fingerprint"] = fingerprint(refresh_token)
            await session.execute(
                sa.update(Credential).where(Credential.id == self._id).values(**values)  # type: ignore[arg-type]
            )
            await announce(session, self._secrets, self._path)
            await session.commit()

    async def mark_expired(self) -> None:
        async with AsyncSession(self._engine) as session:
            await session.execute(
                sa.update(Credential)
                .where(Credential.id == self._id)  # type: ignore[arg-type]
                .values(status="expired", status_message=EXPIRED_MESSAGE)
            )
            await session.commit()

    def __repr__(self) -> str:
        return f"<VaultOAuthStore credential={self._id}>"


def store_for(engine: AsyncEngine, secrets: SecretStore, row: Credential) -> VaultOAuthStore:
    """The Vault + advisory-lock store of one credential-file row."""
    spec = CredentialFileProvider.spec_for(row.provider)
    return VaultOAuthStore(
        engine, secrets, row, refresh_token_of=spec.refresh_token if spec else None
    )


async def load_oauth_credential(
    engine: AsyncEngine,
    secrets: SecretStore,
    credential_row: Credential,
) -> OAuthCredential:
    """The login a request uses: the file from Vault plus the store its refreshes go through.

    Key resolution calls this (instead of `load_credential`) for rows of kind
    ``oauth_credentials``. The cached read is fine: a refresh re-reads Vault inside the lock.
    """
    if credential_row.kind != KIND:
        raise ValueError("not a credential-file row")
    data, _ = await secrets.read(vault_path(credential_row))
    return OAuthCredential(decode(data), store_for(engine, secrets, credential_row))
