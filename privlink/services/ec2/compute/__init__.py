"""EC2 instances and network interfaces."""
