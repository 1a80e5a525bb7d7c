"""The `switchboard` command: run, migrate, demo seeding and the embedded services it starts."""
