"""Two-factor sign-in for password accounts: TOTP (pyotp) with hashed recovery codes.

The TOTP secret lives in Vault (``users/<id>/totp``), never in PostgreSQL; recovery codes are
stored as hashes and shown once. A password sign-in of an enrolled account waits for the second
factor (a short-lived pending login), throttled like the password itself.
"""
