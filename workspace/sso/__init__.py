"""Single sign-on with OpenID Connect, and each workspace's sign-in policy.

``providers`` reads the operator's provider list; ``discovery`` fetches an issuer's metadata and
keys; ``flow`` runs the authorization code flow (PKCE, state, nonce) and ``idtoken`` validates
what comes back; ``identities`` turns a validated login into an account (just in time, or linked
after the old login is proven); ``groups`` maps IdP groups to workspace roles at every login;
``policy`` keeps each workspace's "require SSO" and "require two-factor" and enforces them.
"""
