"""EC2: the networking core (VPCs, subnets, security groups, ENIs, instances) and endpoints."""
