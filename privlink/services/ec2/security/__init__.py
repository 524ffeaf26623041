"""EC2 security groups and their rules."""
