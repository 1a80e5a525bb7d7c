"""Switchboard from your own tools: :mod:`switchboard.client` (a Python client of the workspace
API) and :mod:`switchboard.cli` (the ``switchboard`` commands for people: login, keys, chat,
compare, doctor). Neither imports the server (``workspace``) or the adapters: this is what a
user installs and imports."""
