"""Service implementations: handlers (wire <-> call), operations (decide and write),
queries (read models) and records, one package per AWS service.

Nothing here registers itself: `privlink.wiring` assembles the services.
"""
