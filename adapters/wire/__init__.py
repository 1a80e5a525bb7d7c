"""Translators between the canonical conversation and each provider's wire format."""
