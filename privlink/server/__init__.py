"""The ASGI gateway: routes a request to a service operation, parses and serializes it."""
