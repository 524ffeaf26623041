"""EC2 compute handlers: instances, network interfaces, key pairs."""
