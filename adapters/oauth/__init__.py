"""Credential-file (subscription) providers: Gemini CLI, Claude Code and Qwen Code logins.

Vendors restrict these logins, so the providers require the operator's opt-in and carry a
terms warning in their description; the app enables them per deployment and keeps the files
personal (never a shared workspace credential). Each provider class carries its `token_spec`.
"""
