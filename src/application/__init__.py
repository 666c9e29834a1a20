"""Use cases: the eventsourcing ``Application`` for licence cases, authorization, idempotency."""
