"""Elastic Load Balancing v2: network load balancers, as far as endpoint services need them.

Modules: records (store shapes), common (ARNs, names, tags, paging),
attributes (NLB attribute tables), load_balancers, target_groups, targets
(registration and health), listeners, tags (the operations), lookups (the
read-only queries other subsystems use).
"""
