"""The GraphQL service, the public status page and the operations endpoints (FastAPI)."""
