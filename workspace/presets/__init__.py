"""Presets: how a team prompts. A conversation's system prompt and parameters, and the named
presets (a member's own, or the workspace's shared library) a new chat or compare starts from."""
