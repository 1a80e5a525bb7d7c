"""Switchboard, the web app: a team workspace over any model, on keys kept in Vault.

Packages, from the bottom up: config, errors, db, secrets and runtime (what every domain stands
on); the domains accounts, audit, teams, keys, billing, projects, calls and chat; then web (the
pages), server (the HTTP app that assembles them) and cli (the `switchboard` command).
Providers are reached only through the `adapters` package's public contract.
"""
