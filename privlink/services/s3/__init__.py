"""Amazon S3: buckets, objects (bodies on disk under the state dir), versions, multipart."""
