"""People and how they prove who they are: users, passwords, sessions, API tokens, login limits."""
