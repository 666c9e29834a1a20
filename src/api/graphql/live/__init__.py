"""实时监控: subscriptions over graphql-transport-ws (``subscriptions``), fed by the views'
positions (``feed``); the websocket's caller and GraphiQL's offline files (``router``)."""
