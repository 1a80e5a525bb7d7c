"""Provider keys: whose key pays for a call, storing keys in Vault, workspace model policy."""
