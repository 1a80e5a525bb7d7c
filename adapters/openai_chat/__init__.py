"""OpenAI Chat Completions: the shared engine, its translator and error map, and the
providers built on it (OpenAI, Groq, user-run OpenAI-compatible servers)."""
