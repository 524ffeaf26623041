"""privlink: AWS PrivateLink on one Linux machine."""

__version__ = "0.1.0"
