"""STS: who am I (the account comes from the access key id; see privlink.server.auth)."""
