"""The routes that carry messages resolve their dependencies one at a time.

Litestar resolves the dependencies of one level of the graph concurrently, in an anyio task group
with a task each: on the path to every first token. The message routes ask for one dependency
per level (see :mod:`workspace.runtime.dependencies`); this keeps them so."""

from __future__ import annotations

from litestar.routes import HTTPRoute

from tests.support import Stack
from workspace.server.app import create_app

MESSAGE_ROUTES = {
    "send_message",
    "regenerate_message",
    "start_compare",
    "openai_chat_completions",
    "anthropic_messages",
}


def test_message_routes_have_one_dependency_per_level(stack: Stack) -> None:
    app = create_app(stack.settings)
    seen = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.operation_id not in MESSAGE_ROUTES:
                continue
            model = handler.create_kwargs_model(path_parameters=route.path_parameters)
            levels = [sorted(_keys(batch)) for batch in model.dependency_batches]
            assert all(len(level) == 1 for level in levels), f"{handler.operation_id}: {levels}"
            seen.add(handler.operation_id)
    assert seen == MESSAGE_ROUTES


def _keys(batch: object) -> list[str]:
    return [dependency.key for dependency in batch]  # type: ignore[attr-defined]
