"""What a running app holds for its lifetime: settings, the database engine, shared clients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.manager import ProviderRegistry
from workspace.keys.vault import SecretStore
from workspace.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    secrets: SecretStore
    registry: ProviderRegistry
