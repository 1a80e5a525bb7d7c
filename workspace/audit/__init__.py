"""The audit log: who did what to which thing, written in the same transaction as the change."""
