"""Security group handlers."""
