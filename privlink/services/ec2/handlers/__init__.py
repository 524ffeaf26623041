"""EC2-wide handlers (tags over every resource kind)."""
