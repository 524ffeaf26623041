"""AWS PrivateLink: interface and gateway endpoints, endpoint services, their lifecycle.

Modules, by what they hold (each depends only on those above it):

- records: VpcEndpoint, EndpointService, ServicePermission, ConnectionNotification,
  service names, `Refusal` (one item a batch operation did not act on)
- catalog: the AWS services every account can reach (ServiceOffer)
- interfaces: the requester-managed ENIs of interface endpoints
- queries: read models (scoped lookups, DNS entries and answers, load_balancers_for,
  a provider's connections) for handlers, other services and the data plane
- notifications: connection-notification operations and their SNS delivery
- private_dns: who holds a private name in a VPC
- lifecycle: every state move of an endpoint (and the events it publishes),
  including the endpoint controller's system steps
- discovery: what a consumer may see and connect to (permissions, offers)
- validation, backends: checks shared by endpoint operations; an endpoint
  service's view of its NLBs (through elbv2.queries)
- consumer: operations on endpoints (create_interface_endpoint, ...)
- provider: operations on endpoint services, permissions and connections
- handlers/: wire -> typed call -> wire, one module per side (see its docstring)
- service: the handler modules and records the EC2 service serves
"""
