"""The offline demo behind ``make run``: the provider simulator and a seeded workspace.

Seeding is idempotent, so a second ``make run`` finds the same user, workspace and keys. The
simulator answers in its ``prose`` style (markdown in a voice per model, the context facts in a
footer), so the demo reads like a chat product rather than a test rig.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlmodel import select

from workspace.accounts import service as accounts
from workspace.accounts.models import User
from workspace.audit.service import Actor
from workspace.config.settings import Settings
from workspace.db.sessions import make_engine, make_sessionmaker
from workspace.keys.platform import set_platform_key
from workspace.keys.service import Owner, add_credential
from workspace.runtime.providers import make_registry
from workspace.secrets.vault import SecretStore
from workspace.teams import service as teams

if TYPE_CHECKING:
    from adapters.simulator.server import RunningSimulator

DEMO_EMAIL = "demo@switchboard.local"
DEMO_PASSWORD = "switchboard-demo"
DEMO_WORKSPACE = "Demo team"
# The simulator accepts any key; these only look like real ones so fingerprints read naturally.
DEMO_KEYS = {
    "openai": "sk-demo-openai-simulator-0001",
    "anthropic": "sk-ant-demo-simulator-0002",
    "gemini": "AIza-demo-simulator-0003",
    "groq": "gsk_demo_simulator_0004",
}
DEMO_PLATFORM_KEYS = {"openai": "sk-platform-simulator-0005"}


def simulator_settings(settings: Settings, simulator_url: str) -> Settings:
    """Point every provider at the simulator (each URL means what its SDK calls base_url)."""
    return settings.model_copy(
        update={
            "openai_base_url": f"{simulator_url}/v1",
            "anthropic_base_url": simulator_url,
            "gemini_base_url": simulator_url,
            "groq_base_url": f"{simulator_url}/openai/v1",
            "code_assist_base_url": f"{simulator_url}/code-assist",
            "google_token_url": f"{simulator_url}/oauth/google/token",
            "qwen_token_url": f"{simulator_url}/oauth/qwen/token",
            "claude_token_url": f"{simulator_url}/oauth/claude/token",
            "google_oauth_client_id": "simulator-google-client",
            "google_oauth_client_secret": "simulator-google-secret",
            "qwen_oauth_client_id": "simulator-qwen-client",
            "claude_oauth_client_id": "simulator-claude-client",
            "credential_file_providers": "gemini_cli,claude_code,qwen_code",
        }
    )


async def seed_demo(settings: Settings) -> None:
    assert settings.database_url is not None
    engine = make_engine(settings.database_url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            existing = (await session.exec(select(User).where(User.email == DEMO_EMAIL))).first()
            if existing is not None:
                return
            user = await accounts.signup(
                session, settings, email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo User"
            )
            actor = Actor(user.id, None)
            workspace = await teams.create_workspace(session, actor, user.id, DEMO_WORKSPACE)
            secrets, registry = SecretStore(settings), make_registry(settings)
            owner = Owner(workspace_id=workspace.id)
            for provider, key in DEMO_KEYS.items():
                await add_credential(
                    session,
                    secrets,
                    registry,
                    actor,
                    owner,
                    provider_id=provider,
                    label=f"{provider} (simulator)",
                    secret=key,
                    base_url=None,
                )
            for provider, key in DEMO_PLATFORM_KEYS.items():
                await set_platform_key(session, secrets, registry, provider, key)
            await session.commit()  # the seed is one unit of work, like a request
    finally:
        await engine.dispose()


def start_demo(settings: Settings) -> tuple[RunningSimulator, Settings, tuple[str, str]]:
    """Start the simulator (answering in prose), point the settings at it and seed the demo."""
    from adapters.simulator.server import serve_in_thread

    simulator = serve_in_thread(style="prose")
    settings = simulator_settings(settings, simulator.url)
    asyncio.run(seed_demo(settings))
    return simulator, settings, (DEMO_EMAIL, DEMO_PASSWORD)
