"""AWS Client VPN, part of the EC2 API: endpoints, target networks, authorization rules,
routes and connections (records, operations, queries; thin handlers in `handlers`)."""
