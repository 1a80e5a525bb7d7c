"""Throwaway PostgreSQL and OpenBao servers for `make run` and the tests, started from wheels."""
