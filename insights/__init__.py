"""Territorial intelligence for regional agencies: coverage gaps with SME counts, the "4 D" of a
territory (density, diversity, dynamics, directionality), and what coordinators record (events,
priorities). Reads the registry (``structures``) and the SMEs (``smes``); delivered by ``web``."""
