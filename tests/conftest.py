"""The real stack for the tests: embedded PostgreSQL, OpenBao (raft, AppRole), the provider
simulator and the app served by uvicorn on loopback. Started once per test session.

Tests isolate themselves by creating their own users and workspaces (unique emails), so the
database is never reset between tests.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.support import Stack, UserClient, new_user
from workspace.cli.embedded.ports import free_port
from workspace.cli.embedded.stack import local_services
from workspace.config.settings import Settings
from workspace.db.sessions import make_engine, make_sessionmaker
from workspace.keys.platform import delete_platform_key, set_platform_key
from workspace.runtime import Runtime
from workspace.runtime.providers import make_registry
from workspace.schema.migrate import upgrade
from workspace.secrets.vault import SecretStore
from workspace.server.app import create_app


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    data_dir = Path(tempfile.mkdtemp(prefix="switchboard-test-"))
    data_dir.chmod(0o755)
    base = Settings(data_dir=data_dir, database_url=None, vault_addr=None, port=free_port())
    try:
        with local_services(base, ephemeral=True) as services:
            # Every test signs in from 127.0.0.1 on this one stack for the whole run, so the
            # per-IP login limit (one fixed window shared by all of them) would refuse tests by
            # the clock; the per-IP test fills its own bucket to whatever the limit is.
            settings = services.settings.model_copy(
                update={"allow_private_base_urls": True, "login_limit_per_ip": 100_000}
            )
            assert settings.database_url is not None
            upgrade(settings.database_url)
            simulator = _start_simulator()
            if simulator is not None:
                from workspace.cli.demo import simulator_settings

                settings = simulator_settings(settings, simulator.url)
            app = create_app(settings)
            config = uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning")
            server = uvicorn.Server(config)
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            deadline = time.monotonic() + 30
            while not server.started:
                if time.monotonic() > deadline or not thread.is_alive():
                    raise RuntimeError("the app did not start")
                time.sleep(0.02)
            try:
                yield Stack(
                    settings=settings,
                    url=f"http://127.0.0.1:{settings.port}",
                    postgres=services.postgres,
                    openbao=services.openbao,
                    simulator_url=simulator.url if simulator else None,
                )
            finally:
                server.should_exit = True
                thread.join(timeout=10)
                if simulator is not None:
                    simulator.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _start_simulator():  # type: ignore[no-untyped-def]
    try:
        from adapters.simulator.server import serve_in_thread
    except ImportError:
        return None
    return serve_in_thread()


@pytest.fixture
async def runtime(stack: Stack) -> AsyncIterator[Runtime]:
    """A runtime like the app's, for calling services in the test process."""
    engine = make_engine(stack.settings.database_url or "", pool_size=20)
    yield Runtime(
        settings=stack.settings,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        secrets=SecretStore(stack.settings),
        registry=make_registry(stack.settings),
    )
    await engine.dispose()


@pytest.fixture
async def anon(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        yield client


@pytest.fixture
async def alice(stack: Stack) -> AsyncIterator[UserClient]:
    async with new_user(stack, "alice") as user:
        yield user


@pytest.fixture
async def bob(stack: Stack) -> AsyncIterator[UserClient]:
    async with new_user(stack, "bob") as user:
        yield user


@asynccontextmanager
async def hosted_key(runtime: Runtime, provider: str, secret: str) -> AsyncIterator[None]:
    """A platform (hosted) key for ``provider`` while the block runs; platform keys are
    operator-wide, so the test that sets one removes it."""
    async with runtime.sessionmaker() as session:
        await set_platform_key(session, runtime.secrets, runtime.registry, provider, secret)
        await session.commit()
    try:
        yield
    finally:
        async with runtime.sessionmaker() as session:
            await delete_platform_key(session, runtime.secrets, provider)
            await session.commit()


@pytest.fixture
async def platform_groq(runtime: Runtime) -> AsyncIterator[None]:
    """A hosted Groq key: workspaces without their own pay in credits."""
    async with hosted_key(runtime, "groq", "gsk_platform_test_key_0001"):
        yield


@pytest.fixture
async def platform_openai(runtime: Runtime) -> AsyncIterator[None]:
    """A hosted OpenAI key: workspaces without their own pay in credits."""
    async with hosted_key(runtime, "openai", "sk-platform-test-key-0001"):
        yield
