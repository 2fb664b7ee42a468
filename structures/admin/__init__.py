"""Django admin of the structures app (see docs/structures-admin.md).

Staff of a structure see and edit only their own structures, offers and contacts; registry
administrators see everything (``structures.admin.scoping``, built on the rules of
``structures.permissions``). Every change form, and every inline row, is protected against lost
updates (``structures.admin.concurrency``, ``structures.versioning``).
"""

from structures.admin.access import ApiTokenAdmin
from structures.admin.corrections import CorrectionReportAdmin
from structures.admin.demand import FreshnessReminderAdmin, UnmetSearchAdmin
from structures.admin.moderation import PendingChangeAdmin
from structures.admin.offer import ContactAdmin, OfferAdmin
from structures.admin.programme import ProgrammeAdmin
from structures.admin.reference import SectorAdmin, ServiceAdmin, StaffMembershipAdmin
from structures.admin.structure import StructureAdmin

__all__ = [
    "ApiTokenAdmin",
    "ContactAdmin",
    "CorrectionReportAdmin",
    "FreshnessReminderAdmin",
    "OfferAdmin",
    "PendingChangeAdmin",
    "ProgrammeAdmin",
    "SectorAdmin",
    "ServiceAdmin",
    "StaffMembershipAdmin",
    "StructureAdmin",
    "UnmetSearchAdmin",
]
