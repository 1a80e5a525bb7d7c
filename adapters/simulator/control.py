"""The ``/_simulator`` control API: scenarios, the request log, token lifetime, health.

Tests (and the offline demo) steer the simulator over HTTP rather than by reaching into its
memory, because it runs on its own thread and event loop (or in another process entirely).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.handlers import HTTPRouteHandler

from adapters.simulator.common import Failure, json_response, loads_object
from adapters.simulator.state import Scenario, SimulatorState


def _bad(message: str) -> Response[bytes]:
    return json_response({"error": message}, status=400)


def control_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Handlers under ``/_simulator``."""
    return [*_scenario_routes(state), *_log_routes(state)]


def _scenario_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """Install, list and reset scenarios."""

    def scenarios() -> dict[str, Any]:
        return {
            "scenarios": [s.to_json() for s in state.scenarios.values()],
            "style": state.style,
        }

    @post("/_simulator/scenario", status_code=200)
    async def set_scenario(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Install a scenario for one model or for ``*``."""
        try:
            scenario = Scenario.from_json(loads_object(await request.body()))
        except (Failure, ValueError) as exc:
            return _bad(str(exc))
        state.set_scenario(scenario)
        return json_response(scenarios())

    @get("/_simulator/scenario")
    async def get_scenarios() -> Response[bytes]:
        """The installed scenarios."""
        return json_response(scenarios())

    @delete("/_simulator/scenario", status_code=200)
    async def reset_scenarios() -> Response[bytes]:
        """Back to normal behaviour for every model (the start-up reply style stays)."""
        state.reset_scenarios()
        return json_response(scenarios())

    return [set_scenario, get_scenarios, reset_scenarios]


def _log_routes(state: SimulatorState) -> list[HTTPRouteHandler]:
    """The request log, the OAuth token lifetime and the liveness probe."""

    @get("/_simulator/requests")
    async def get_requests(request: Request[Any, Any, Any]) -> Response[bytes]:
        """The most recent requests (oldest first) and the OAuth refresh counts."""
        entries = state.log.entries()
        limit = request.query_params.get("limit")
        if limit is not None and limit.isdigit():
            entries = entries[-int(limit) :] if int(limit) else []
        return json_response(
            {
                "requests": [e.to_json() for e in entries],
                "refresh_calls": {
                    issuer: state.tokens.refresh_calls.get(issuer, 0)
                    for issuer in ("google", "qwen", "claude")
                },
            }
        )

    @delete("/_simulator/requests", status_code=200)
    async def clear_requests() -> Response[bytes]:
        """Forget logged requests and refresh counts."""
        state.log.clear()
        state.tokens.refresh_calls.clear()
        return json_response({"requests": []})

    @post("/_simulator/oauth", status_code=200)
    async def configure_oauth(request: Request[Any, Any, Any]) -> Response[bytes]:
        """Set ``access_token_ttl_s`` so tests can make issued access tokens expire quickly."""
        try:
            body = loads_object(await request.body())
        except Failure as exc:
            return _bad(exc.message)
        ttl = body.get("access_token_ttl_s")
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            return _bad("access_token_ttl_s must be an integer >= 0")
        state.tokens.access_ttl_s = ttl
        return json_response({"access_token_ttl_s": ttl})

    @get("/_simulator/health")
    async def health() -> Response[bytes]:
        """Liveness probe (also used by ``serve_in_thread`` to know the server is up)."""
        return json_response({"ok": True})

    return [get_requests, clear_requests, configure_oauth, health]
