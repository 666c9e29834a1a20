"""Read models: eventsourcing ``Projection`` classes over the licensing application's events,
each with its own tables (``migrations/``), rebuildable from position 0."""
