"""Anthropic's Messages API: the provider, its translator and its error map."""
