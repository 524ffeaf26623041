"""EC2 networking: VPCs, subnets, route tables, gateways, zones."""
