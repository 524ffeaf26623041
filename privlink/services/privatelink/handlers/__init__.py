"""PrivateLink's API handlers: wire dict -> typed operation -> wire dict.

Where each operation is handled (the operations themselves live one level up):

- consumer.py: CreateVpcEndpoint, DescribeVpcEndpoints, ModifyVpcEndpoint,
  DeleteVpcEndpoints, DescribeVpcEndpointServices, DescribeVpcEndpointAssociations
- provider.py: Create/Describe/Modify/DeleteVpcEndpointServiceConfiguration(s),
  StartVpcEndpointServicePrivateDnsVerification,
  ModifyVpcEndpointServicePayerResponsibility,
  Modify/DescribeVpcEndpointServicePermissions,
  Accept/Reject/DescribeVpcEndpointConnections
- notifications.py: Create/Describe/Modify/DeleteVpcEndpointConnectionNotification(s)
- wire.py: the records' wire shapes
"""
