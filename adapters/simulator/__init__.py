"""Provider simulator: a local server speaking OpenAI, Anthropic, Gemini and Code Assist wires.

Official SDKs pointed at it (``base_url``) behave as against the real services, which lets the
adapters be tested, demoed and benchmarked offline. ``server`` runs it (``RunningSimulator``,
``serve_in_thread``, ``run``); see ``app.py`` for the route table.
"""
