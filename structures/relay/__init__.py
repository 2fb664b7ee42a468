"""The nearest competent relay lookup (DESIGN §5); see docs/relay.md for exact semantics."""
