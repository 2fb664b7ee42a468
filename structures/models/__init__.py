"""Models of the structures domain, split by theme; import them from ``structures.models``."""

from structures.models.access import AccountScope, ApiToken
from structures.models.catalogue import Sector, Service
from structures.models.corrections import CorrectionReport
from structures.models.demand import UnmetSearch
from structures.models.freshness import FreshnessReminder
from structures.models.moderation import PendingChange
from structures.models.network import StructureLink, StructureMemberCount
from structures.models.offer import Offer, OfferCoverage, OfferMarket
from structures.models.people import Contact, StaffMembership
from structures.models.programme import Programme, ProgrammeEntryPoint
from structures.models.structure import Structure, StructureCoverage

# The relay lookup's flat index lives with its engine (structures/relay/index.py).
from structures.relay.index import RelayIndexEntry

__all__ = [
    "AccountScope",
    "ApiToken",
    "Contact",
    "CorrectionReport",
    "FreshnessReminder",
    "Offer",
    "OfferCoverage",
    "OfferMarket",
    "PendingChange",
    "Programme",
    "ProgrammeEntryPoint",
    "RelayIndexEntry",
    "Sector",
    "Service",
    "StaffMembership",
    "Structure",
    "StructureCoverage",
    "StructureLink",
    "StructureMemberCount",
    "UnmetSearch",
]
