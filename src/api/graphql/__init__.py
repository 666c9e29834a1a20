"""The GraphQL schema, by feature: shared ``types``, ``cases``, ``inbox``, ``public``,
``supervision``; merged in ``schema``."""
