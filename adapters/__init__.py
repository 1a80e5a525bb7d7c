"""Provider adapters: canonical conversation types, normalized errors and provider plugins.

This package imports nothing from the web app; the app reaches providers only through
`adapters.manager.ProviderRegistry`.
"""
