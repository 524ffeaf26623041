"""AWS PrivateLink: interface and gateway endpoints, endpoint services, their lifecycle."""
