"""What a running app holds for its lifetime: settings, the database engine, shared clients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters import ProviderRegistry
from workspace.config.settings import Settings
from workspace.runtime.lookups import LookupCache
from workspace.runtime.model_lists import ModelLists, Timing
from workspace.secrets.eviction import EvictionListener
from workspace.secrets.vault import SecretStore


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    secrets: SecretStore
    registry: ProviderRegistry
    # Names this process on the model calls it leases, and which ones it is still streaming:
    # only those are renewed, so a call whose accounting failed expires and is recovered
    # (workspace.chat.recovery).
    instance_id: uuid.UUID = field(default_factory=uuid.uuid4)
    leases: set[uuid.UUID] = field(default_factory=set)
    # The LISTEN connection evicting secrets other replicas changed (/readyz reports it).
    eviction: EvictionListener | None = None
    # The providers' own model lists, per key; a key's change in Vault drops its listing.
    model_lists: ModelLists = field(default_factory=ModelLists)
    # Who-may-do-what lookups of the access guard; any change to them empties it everywhere.
    lookups: LookupCache = field(default_factory=LookupCache)

    def __post_init__(self) -> None:
        self.secrets.on_evict(self.model_lists.evict)
        self.lookups.ttl_s = self.settings.lookup_cache_ttl_s
        self.secrets.on_evict(self.lookups.evict)

    def live_lookups(self) -> LookupCache | None:
        """The lookup cache, while this process hears other replicas' changes (else None)."""
        return self.lookups if self.eviction is not None and self.eviction.connected else None

    def model_list_timing(self) -> Timing:
        """How long listings live and how long one may take, from the settings."""
        s = self.settings
        return Timing(s.model_list_ttl_s, s.model_list_retry_s, s.model_list_timeout_s)
