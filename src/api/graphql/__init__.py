"""The GraphQL schema, one package a feature: ``cases``, ``inbox``, ``public``,
``supervision``; what they share in ``common``; ``deadlines`` shared by cases and the public
status page; merged in ``schema``, every request guarded by ``guards``."""
