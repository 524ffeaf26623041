"""VPC Flow Logs, part of the EC2 API: records, operations (create, delete, deliver),
queries (which interfaces a flow log covers), the record format, thin handlers."""
