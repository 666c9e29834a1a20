"""The pure licensing model: aggregates, events, value objects and legal rules.

Nothing here does I/O or imports another xuke layer; it imports the standard library,
pydantic and ``eventsourcing.domain`` only.
"""
