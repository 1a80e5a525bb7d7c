"""The database schema: every table in one metadata, and migrating a database to it."""
