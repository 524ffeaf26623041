"""IAM: roles, inline and managed policies, service-linked roles (stored, not enforced)."""
