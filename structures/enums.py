"""Choices of the structures domain (see docs/domain.md for where each kind comes from)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StructureKind(models.TextChoices):
    """The "structures de proximité à vocation internationale" named by the source research.

    The list follows the digest's table (Torrès 2002, Colovic 2013, Pommier 2012) with the bodies'
    current names where they changed (DRCE → Team France Export, PEE → Business France abroad,
    COFACE / ANVAR → Bpifrance).
    """

    CCI = "cci", _("CCI territoriale (service international)")
    CCI_REGIONAL = "cci_regional", _("CCI régionale")
    CCI_NATIONAL = "cci_national", _("CCI France (tête de réseau)")
    CMA = "cma", _("Chambre de métiers et de l'artisanat")
    CHAMBER_AGRICULTURE = "chamber_agriculture", _("Chambre d'agriculture")
    TEAM_FRANCE_EXPORT = "team_france_export", _("Team France Export (guichet régional)")
    OFFICE_ABROAD = "office_abroad", _("Bureau à l'étranger (Business France, poste)")
    CCE_SECTION = "cce_section", _("Section régionale des conseillers du commerce extérieur")
    EXPORTERS_CLUB = "exporters_club", _("Club des exportateurs")
    COMPETITIVENESS_CLUSTER = "competitiveness_cluster", _("Pôle de compétitivité")
    CLUSTER_SPL = "cluster_spl", _("Cluster / système productif local (SPL)")
    EXPORT_GROUP = "export_group", _("Groupement à l'export")
    INTERNATIONAL_INCUBATOR = "international_incubator", _("Pépinière à l'international")
    BPIFRANCE = "bpifrance", _("Bpifrance (financement et assurance export)")
    REGIONAL_AGENCY = "regional_agency", _("Agence régionale de développement économique")
    EEN_CONTACT_POINT = "een_contact_point", _("Point de contact Enterprise Europe Network")
    TERRITORIAL_AUTHORITY = "territorial_authority", _("Collectivité territoriale")
    INNOVATION_SUPPORT = (
        "innovation_support",
        _("Structure d'appui à l'innovation (technopole, incubateur, CEEI)"),
    )
    TRAINING_BODY = "training_body", _("Organisme de formation (université, école)")
    CONSULTANT = "consultant", _("Consultant en développement international")
    IMPORT_EXPORT_FIRM = "import_export_firm", _("Société de commerce international")
    FREIGHT_FORWARDER = "freight_forwarder", _("Transitaire / logisticien")
    BANK = "bank", _("Banque")
    LARGE_FIRM_PORTAGE = "large_firm_portage", _("Grande entreprise (portage)")
    OTHER = "other", _("Autre")


# Kinds whose staff are private providers: the lookup labels them so a user knows it is a
# commercial service, not a public or consular one.
PRIVATE_PROVIDER_KINDS = frozenset(
    {
        StructureKind.CONSULTANT,
        StructureKind.IMPORT_EXPORT_FIRM,
        StructureKind.FREIGHT_FORWARDER,
        StructureKind.BANK,
        StructureKind.LARGE_FIRM_PORTAGE,
    }
)


class LabelTier(models.TextChoices):
    """Label tier of a pôle de compétitivité (blank for every other kind)."""

    MONDIAL = "mondial", _("pôle mondial")
    VOCATION_MONDIALE = "vocation_mondiale", _("pôle à vocation mondiale")
    NATIONAL = "national", _("pôle national")
    REGIONAL = "regional", _("pôle régional")


# The kinds whose offers may carry an intensity (``Offer.intensity``): pôles de compétitivité
# and clusters / SPL, the collective bodies whose international services Colovic (2013) and
# Pommier (2012) describe as more or less central to what they do for their members.
CLUSTER_KINDS = frozenset({StructureKind.COMPETITIVENESS_CLUSTER, StructureKind.CLUSTER_SPL})


class ServiceIntensity(models.TextChoices):
    """How much a cluster does of one international service for its members.

    Three degrees, the ones Colovic (2013, "Pôles de compétitivité et internationalisation des
    PME", data of 2011, see ``docs/domain.md``) can tell apart in the pôles' accounts:

    - ``occasional``: done now and then, on request — individual partner search ("rare"),
      translation;
    - ``regular``: a recurring programme — missions abroad "several times a year" (Lyonbiopôle),
      collective stands at international fairs;
    - ``central``: the pôle's preferred mode of internationalisation — inter-cluster alliances
      abroad ("le mode privilégié").

    Blank on an offer: not stated (and always blank outside ``CLUSTER_KINDS``).
    """

    OCCASIONAL = "occasional", _("occasionnel")
    REGULAR = "regular", _("régulier")
    CENTRAL = "central", _("central (mode privilégié)")


class GeocodingPrecision(models.TextChoices):
    """How a structure's point was obtained (shown next to distances)."""

    ADDRESS = "address", _("adresse géocodée")
    COMMUNE = "commune", _("centre de la commune")
    MANUAL = "manual", _("saisi à la main")
    NONE = "none", _("aucune coordonnée")


class MemberCountKind(models.TextChoices):
    MEMBERS = "members", _("adhérents (total)")
    SME_MEMBERS = "sme_members", _("PME adhérentes")
    LARGE_FIRMS = "large_firms", _("grandes entreprises adhérentes")
    RESEARCH_CENTRES = "research_centres", _("centres de recherche et de formation")
    OTHER = "other", _("autres membres")


class ContactKind(models.TextChoices):
    PERSON = "person", _("personne")
    DESK = "desk", _("service / guichet")


class OfferDelivery(models.TextChoices):
    IN_PERSON = "in_person", _("sur place")
    REMOTE = "remote", _("à distance")
    BOTH = "both", _("sur place ou à distance")


class OfferCost(models.TextChoices):
    FREE = "free", _("gratuit")
    PAID = "paid", _("payant")
    SUBSIDISED = "subsidised", _("subventionné")


class MarketStatus(models.TextChoices):
    """Rule R10: only an active presence is competence for a country; planned is labelled."""

    ACTIVE = "active", _("actif")
    PLANNED = "planned", _("en projet")


class LinkKind(models.TextChoices):
    NETWORK_MEMBER = "network_member", _("membre du réseau")
    INTER_CLUSTER_ALLIANCE = "inter_cluster_alliance", _("alliance inter-clusters")
    PARTNERSHIP = "partnership", _("partenariat")


class LinkStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    PLANNED = "planned", _("en projet")


class SectorKind(models.TextChoices):
    NAF_SECTION = "naf_section", _("section NAF rév. 2")
    NAF_DIVISION = "naf_division", _("division NAF rév. 2")
    FILIERE = "filiere", _("filière")


class StaffRole(models.TextChoices):
    """What a staff member may do on the structures they belong to."""

    EDITOR = "editor", _("rédacteur")
    MANAGER = "manager", _("responsable")


class CorrectionField(models.TextChoices):
    """What a member of the public reports as wrong on a listing ("Signaler une erreur").

    The first ones name a field of the structure: accepting such a report writes the value the
    staff member confirms into that field (``structures.corrections.STRUCTURE_FIELD_OF``). The
    others are handled by hand: accepting them only records that they were dealt with.
    """

    NAME = "name", _("Nom de la structure")
    ADDRESS = "address_line", _("Adresse")
    POSTAL_CODE = "postal_code", _("Code postal")
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("Courriel")
    WEBSITE = "website", _("Site web")
    OPENING_HOURS = "opening_hours", _("Horaires d'ouverture")
    OFFER = "offer", _("Un service proposé (conditions, territoire, pays…)")
    CONTACT = "contact", _("Un contact (personne ou guichet)")
    CLOSED = "closed", _("La structure a fermé ou n'existe plus")
    OTHER = "other", _("Autre")


class CorrectionStatus(models.TextChoices):
    NEW = "new", _("nouveau")
    ACCEPTED = "accepted", _("accepté")
    REJECTED = "rejected", _("rejeté")


class Freshness(models.TextChoices):
    """How recently a listing was confirmed (``structures.freshness``; thresholds in settings)."""

    FRESH = "fresh", _("à jour")
    TO_CHECK = "to_check", _("à vérifier")
    STALE = "stale", _("informations à vérifier")


class PendingChangeStatus(models.TextChoices):
    """Where a proposed change of a published listing stands (moderation)."""

    PENDING = "pending", _("en attente de validation")
    APPROVED = "approved", _("validée")
    REJECTED = "rejected", _("refusée")


class ProgrammeLevel(models.TextChoices):
    """Who runs a scheme, hence where it applies (rule R6: the global reached through the local)."""

    EU = "eu", _("européen")
    NATIONAL = "national", _("national")
    REGIONAL = "regional", _("régional")
    DEPARTEMENTAL = "departemental", _("départemental")


# Schemes that apply to the whole country: no territory of application.
NATIONWIDE_PROGRAMME_LEVELS: tuple[str, ...] = (ProgrammeLevel.EU, ProgrammeLevel.NATIONAL)
# The territory level a régional or départemental scheme applies to.
PROGRAMME_AREA_LEVEL: dict[str, str] = {
    ProgrammeLevel.REGIONAL: "region",
    ProgrammeLevel.DEPARTEMENTAL: "departement",
}
