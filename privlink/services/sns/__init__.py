"""Simple Notification Service: topics, HTTP/HTTPS subscriptions, publishing, delivery.

Modules: records (store shapes), arns (ARNs and ids), policy (topic policies
and the access check), queries (topics as callers address them,
subscriptions, inboxes), operations (typed calls: topics, subscriptions,
publishing, tags), handlers (the API: wire <-> operations), outbox (queueing
deliveries in a transaction), messages and signing (what is POSTed),
delivery (the worker that POSTs), runtime (the worker's lifecycle).
The HTTP routes that read inboxes and the signing certificate are the
application's (privlink.internal_routes).
"""
