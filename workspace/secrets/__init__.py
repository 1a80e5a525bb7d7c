"""Secrets in Vault: the client behind a TTL cache, eviction across replicas, where each lives."""
