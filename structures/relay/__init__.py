"""The nearest competent relay lookup; docs/relay.md gives its exact semantics."""
