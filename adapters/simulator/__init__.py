"""Provider simulator: a local server speaking OpenAI, Anthropic, Gemini and Code Assist wires.

Official SDKs pointed at it (``base_url``) behave as against the real services, which lets the
adapters be tested, demoed and benchmarked offline. See ``app.py`` for the route table.
"""

from adapters.simulator.app import create_app
from adapters.simulator.server import RunningSimulator, run, serve_in_thread

__all__ = ["RunningSimulator", "create_app", "run", "serve_in_thread"]
