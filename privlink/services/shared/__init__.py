"""Rules every service shares: the Describe pipeline, tags, ClientToken idempotency."""
