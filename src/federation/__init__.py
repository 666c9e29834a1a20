"""Two levels and the offline ferry (docs/exchange-federation.md): following another
instance's exchange feed over HTTP (``follower``) and carrying it across a network gap as a
signed bundle (``ferry``). Both land in the inbound store and its national views
(``projections/national.py``). Imports ``application`` and ``projections``; nothing imports it
but the command line and the API."""
