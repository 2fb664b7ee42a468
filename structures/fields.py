"""The fields of a structure, an offer and a contact, named once for every place that writes or
shows them.

A new model field goes into the lists below that apply to it; the write services, the API input
and output, the open-data export and the relay results follow (``tests/structures/test_fields.py``
checks that they do, and that every name is a field of the model). Where a list's order is the
order of an output — JSON members, CSV columns —, it says so.

Plain names only: no import, so that any layer may read them (``structures.relay`` included).
"""

# --- Structures ---------------------------------------------------------------------------------

# Plain fields a structure's staff may write: accepted by ``structures.services`` and taken by the
# write API (``StructureInputSerializer``, which presents them in the model's order).
STRUCTURE_WRITABLE = (
    "name",
    "acronym",
    "kind",
    "parent",
    "legal_form",
    "address_line",
    "postal_code",
    "commune",
    "country",
    "latitude",
    "longitude",
    "coordinate_precision",
    "phone",
    "email",
    "website",
    "opening_hours",
    "description",
    "label_tier",
    "source",
    "source_url",
    "licence",
    "is_active",
)
# Many-to-many fields staff may write: the services replace them after saving the row.
STRUCTURE_WRITABLE_M2M = ("coverage",)
# Accepted by the services but never taken from the write API: the slug is the listing's public
# identifier, and demo and validation status are the registry's decisions, not its staff's.
STRUCTURE_WRITABLE_INTERNAL = ("slug", "is_demo", "is_validated")

# Fields only registry administrators change — where the data comes from, whether it is published,
# its public identifier. The admin shows them read-only to staff, and the write services refuse a
# change of them from anyone else (the API included). The network head (``parent``) is not among
# them: staff name it, within the limits of ``structures.moderation.check_parent``, and on a
# published listing their change waits for a registry administrator (``SENSITIVE_FIELDS``).
STRUCTURE_REGISTRY_ONLY = (
    "slug",
    "source",
    "source_url",
    "licence",
    "is_demo",
    "is_validated",
)

# What the API shows of a structure, list and detail (``StructureSerializer``), in this order.
STRUCTURE_PUBLIC = (
    "id",
    "slug",
    "name",
    "acronym",
    "kind",
    "parent",
    "legal_form",
    "address_line",
    "postal_code",
    "commune",
    "country",
    "latitude",
    "longitude",
    "coordinate_precision",
    "phone",
    "email",
    "website",
    "opening_hours",
    "description",
    "label_tier",
    "coverage",
    "verified_at",
    "source",
    "source_url",
    "licence",
    "is_demo",
    "is_active",
    "is_validated",
    "version",
    "created_at",
    "updated_at",
)
# What the detail adds (``StructureDetailSerializer``): related rows, each with its serializer.
STRUCTURE_PUBLIC_RELATED = ("offers", "contacts", "children", "member_counts")

# The open-data export (``structures/api/opendata.py``), public fields only, in column order. A
# relation becomes the columns of its codes (``parent`` → ``parent_slug``, ``commune`` →
# ``commune_code`` and ``commune_name``, ``offers`` → ``services``...).
STRUCTURE_OPEN_DATA = (
    "id",
    "slug",
    "name",
    "acronym",
    "kind",
    "parent",
    "address_line",
    "postal_code",
    "commune",
    "country",
    "latitude",
    "longitude",
    "coordinate_precision",
    "phone",
    "email",
    "website",
    "opening_hours",
    "offers",
    "coverage",
    "verified_at",
    "updated_at",
    "source",
    "source_url",
    "licence",
    "is_demo",
)

# A relay's structure as the lookup loads it (``structures.relay.results``) into a
# ``RelayStructure``, besides its id: what result cards, the map and the API may show. Relations
# must point to territories (loaded as ``TerritoryRef``).
STRUCTURE_RELAY = (
    "slug",
    "name",
    "acronym",
    "kind",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "opening_hours",
    "address_line",
    "postal_code",
    "commune",
    "country",
    "is_demo",
)
# What ``/api/v1/relays/`` shows of it after its ``id`` (``web/api/relay.py``), in this order.
STRUCTURE_RELAY_API = (
    "slug",
    "name",
    "acronym",
    "kind",
    "commune",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "address_line",
    "postal_code",
    "is_demo",
)

# --- Offers -------------------------------------------------------------------------------------

# Plain fields staff may write on an offer (services and ``OfferInputSerializer``). The structure
# and the service are given at creation only; the markets have their own input.
OFFER_WRITABLE = (
    "description",
    "min_employees",
    "max_employees",
    "min_age_years",
    "members_only",
    "application_required",
    "delivery",
    "cost",
    "intensity",
    "contact",
    "is_active",
)
OFFER_WRITABLE_M2M = ("coverage", "sectors", "naf_include", "naf_exclude")

# What the API shows of an offer (``OfferSerializer``), in this order.
OFFER_PUBLIC = (
    "id",
    "structure",
    "service",
    "description",
    "coverage",
    "sectors",
    "markets",
    "min_employees",
    "max_employees",
    "min_age_years",
    "naf_include",
    "naf_exclude",
    "members_only",
    "application_required",
    "delivery",
    "cost",
    "intensity",
    "contact",
    "is_active",
    "version",
    "updated_at",
)

# --- Contacts -----------------------------------------------------------------------------------

# Fields staff may write on a contact (services, ``ContactInputSerializer``, the admin's contact
# forms). The structure is given at creation only.
CONTACT_WRITABLE = ("kind", "name", "role", "email", "phone", "languages", "is_public", "position")
# Accepted by the services, never from the API: demo status is the registry's decision.
CONTACT_WRITABLE_INTERNAL = ("is_demo",)

# What the API shows of a contact (``ContactSerializer``), in this order.
CONTACT_PUBLIC = (
    "id",
    "structure",
    "kind",
    "name",
    "role",
    "email",
    "phone",
    "languages",
    "is_public",
    "position",
    "version",
    "updated_at",
)
