"""Elastic Load Balancing v2: network load balancers, as far as endpoint services need them.

Modules: records (store shapes), arns (ARNs and names), attributes (NLB
attribute tables), queries (read models other services and the data plane
use, and the target health rule), operations (typed calls that decide and
write: load balancers, target groups, targets, listeners, tags), handlers
(the API: wire <-> operations), service (what privlink serves).
"""
