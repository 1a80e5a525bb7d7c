"""The HTTP application: assembly of every domain's routes, error handlers, health and guards."""
