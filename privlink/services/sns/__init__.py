"""Simple Notification Service: topics, HTTP/HTTPS subscriptions, publishing, delivery.

Modules: records, common (ARNs, access checks, tags, paging), policy (topic
policies), topics, subscriptions, publishing (Publish and publish_as_service),
tags (the operations), outbox (queueing deliveries in a transaction),
messages and signing (what is POSTed), delivery (the worker that POSTs),
runtime (the worker's lifecycle and the internal routes).
"""
