"""Numbered SQL migrations for the read models, applied by yoyo-migrations (``xuke migrate``)."""
