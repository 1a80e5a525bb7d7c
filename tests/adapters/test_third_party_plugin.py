"""A third-party provider gets the stream contract from the base class without writing it.

The plugin below is what an outside package writes: it imports only the public `adapters`
contract, registers through the real plugin manager, and implements `stream_events` alone. It
misbehaves on purpose (raises mid-stream, stops without a `Finish`, sends two), and the stream
the app reads still ends with exactly one `Finish`, failures as `ErrorEvent`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator

import pytest

from adapters import (
    AdapterConfig,
    ChatRequest,
    Credential,
    ErrorEvent,
    Finish,
    Message,
    ModelInfo,
    Provider,
    ProviderRegistry,
    ProviderUnavailable,
    RateLimited,
    StreamEvent,
    Text,
    TextDelta,
    ValidationResult,
    hookimpl,
    make_plugin_manager,
)

# What the plugin saw of the last call's clean-up (a cancelled stream must still close it).
closed: list[str] = []


class FlakyProvider(Provider):
    """Each model misbehaves in one way; the model id says which."""

    id = "flaky"
    display_name = "Flaky"
    credential_kinds = ("none",)

    def models(self) -> list[ModelInfo]:
        return []

    async def validate(self, credential: Credential | None) -> ValidationResult:
        return ValidationResult("valid", "Flaky needs no key.")

    async def list_models(self, credential: Credential | None) -> list[ModelInfo]:
        return []

    async def stream_events(
        self, request: ChatRequest, credential: Credential | None
    ) -> AsyncGenerator[StreamEvent, None]:
        try:
            yield TextDelta("partial ")
            if request.model == "raises":
                raise RuntimeError("the SDK blew up")
            if request.model == "connection":
                raise ConnectionRefusedError("no route to host")
            if request.model == "rate-limited":
                raise RateLimited("Flaky is rate-limiting this key.", provider=self.id)
            if request.model == "two-finishes":
                yield Finish("stop")
                yield TextDelta("after the end")
                yield Finish("length")
            if request.model == "well-behaved":
                yield Finish("stop")
            # "no-finish" and "endless" fall through without a Finish.
            if request.model == "endless":
                yield TextDelta("more")
        finally:
            closed.append(request.model)


class FlakyPlugin:
    """The plugin object an outside package would expose through its entry point."""

    @hookimpl
    def switchboard_providers(self, config: AdapterConfig) -> list[Provider]:
        return [FlakyProvider(config)]


@pytest.fixture
def flaky() -> Iterator[Provider]:
    pm = make_plugin_manager(load_entrypoints=False)
    plugin = FlakyPlugin()
    pm.register(plugin, name="flaky_plugin")
    closed.clear()
    yield ProviderRegistry(pm, AdapterConfig()).get("flaky")
    pm.unregister(plugin)


def ask(model: str) -> ChatRequest:
    return ChatRequest(model, (Message("user", (Text("hi"),)),))


async def events_of(provider: Provider, model: str) -> list[StreamEvent]:
    return [event async for event in provider.stream(ask(model), None)]


async def test_a_well_behaved_stream_passes_through_unchanged(flaky: Provider) -> None:
    assert await events_of(flaky, "well-behaved") == [TextDelta("partial "), Finish("stop")]


async def test_an_exception_mid_stream_becomes_an_error_event_and_one_finish(
    flaky: Provider,
) -> None:
    events = await events_of(flaky, "raises")

    assert events[0] == TextDelta("partial ")
    assert isinstance(events[1], ErrorEvent)
    assert isinstance(events[1].error, ProviderUnavailable)
    assert "RuntimeError" in events[1].error.message
    assert events[2:] == [Finish("error")]


async def test_a_connection_failure_is_provider_unavailable(flaky: Provider) -> None:
    events = await events_of(flaky, "connection")

    error = events[1]
    assert isinstance(error, ErrorEvent)
    assert isinstance(error.error, ProviderUnavailable)
    assert "could not be reached" in error.error.message
    assert events[-1] == Finish("error")


async def test_a_normalized_error_the_plugin_raises_is_kept(flaky: Provider) -> None:
    events = await events_of(flaky, "rate-limited")

    assert isinstance(events[1], ErrorEvent)
    assert isinstance(events[1].error, RateLimited)
    assert events[2:] == [Finish("error")]


async def test_a_stream_that_stops_without_finish_gets_an_error_and_one_finish(
    flaky: Provider,
) -> None:
    events = await events_of(flaky, "no-finish")

    assert events[0] == TextDelta("partial ")
    assert isinstance(events[1], ErrorEvent)
    assert events[1].error.message == "Flaky ended the answer before it was finished."
    assert events[2:] == [Finish("error")]


async def test_nothing_follows_the_first_finish(flaky: Provider) -> None:
    events = await events_of(flaky, "two-finishes")

    assert events == [TextDelta("partial "), Finish("stop")]
    assert closed == ["two-finishes"]


async def test_closing_the_stream_cancels_the_call_without_a_finish(flaky: Provider) -> None:
    stream = flaky.stream(ask("endless"), None)

    first = await anext(stream)
    await stream.aclose()

    assert first == TextDelta("partial ")
    assert closed == ["endless"]
