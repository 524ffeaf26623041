"""S3 handlers: the wire (botocore s3 shapes) to operation calls and back."""
