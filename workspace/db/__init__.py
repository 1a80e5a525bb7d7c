"""PostgreSQL access: the engine, sessions and transactions, and the column conventions."""
