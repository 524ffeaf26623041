"""Client VPN handlers: wire <-> operations."""
