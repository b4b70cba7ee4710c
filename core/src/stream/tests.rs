//! Connection tests against a scripted in-process graphql-transport-ws server.
