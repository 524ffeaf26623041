"""S3 operations: decide and write; callable by handlers, other services and controllers."""
