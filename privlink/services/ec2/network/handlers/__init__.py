"""EC2 networking handlers: wire <-> operations, one module per concept."""
