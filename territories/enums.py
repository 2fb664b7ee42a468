from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryLevel(models.TextChoices):
    """Administrative levels, from the finest to the widest.

    ``arrondissement`` is the municipal district of Paris, Lyon and Marseille, a child of its
    commune. ``country`` holds France (the root of the closure) and every ISO 3166 country used as
    a target market.
    """

    ARRONDISSEMENT = "arrondissement", _("arrondissement municipal")
    COMMUNE = "commune", _("commune")
    EPCI = "epci", _("intercommunalité (EPCI)")
    DEPARTEMENT = "departement", _("département")
    REGION = "region", _("région")
    COUNTRY = "country", _("pays")


# Where a firm or a structure can be located: a commune, or a municipal arrondissement.
PLACE_LEVELS: tuple[str, ...] = (TerritoryLevel.COMMUNE.value, TerritoryLevel.ARRONDISSEMENT.value)

# Finer levels have smaller ranks: a coverage matched at rank 1 (commune) is more specific than
# one matched at rank 4 (région). The relay lookup breaks distance ties on this rank.
LEVEL_RANK: dict[str, int] = {
    TerritoryLevel.ARRONDISSEMENT: 0,
    TerritoryLevel.COMMUNE: 1,
    TerritoryLevel.EPCI: 2,
    TerritoryLevel.DEPARTEMENT: 3,
    TerritoryLevel.REGION: 4,
    TerritoryLevel.COUNTRY: 5,
}


class CoordinatePrecision(models.TextChoices):
    """How a territory's point was obtained (shown next to distances)."""

    POSTAL_MATCH = "postal_match", _("centre de la commune (GeoNames, code postal et nom)")
    POSTAL_ONLY = "postal_only", _("centre du code postal (GeoNames, nom non apparié)")
    PARENT = "parent", _("approximatif : point du territoire parent")
    CHEF_LIEU = "chef_lieu", _("chef-lieu")
    MEMBERS = "members", _("barycentre des communes membres")
    NONE = "none", _("aucune coordonnée")


class Zone(models.TextChoices):
    METRO = "metro", _("France métropolitaine")
    DROM = "drom", _("département ou région d'outre-mer")
    COM = "com", _("collectivité d'outre-mer")
    ABROAD = "abroad", _("étranger")


class AliasReason(models.TextChoices):
    MERGED = "merged", _("commune fusionnée (ancien code)")
    DELEGATED = "delegated", _("commune déléguée")
    ASSOCIATED = "associated", _("commune associée")
    VANISHED = "vanished", _("code disparu du COG")


class Tncc(models.IntegerChoices):
    """The COG's *type de nom en clair* (TNCC): the article and the liaison ("charnière") of a name.

    INSEE gives it for every commune, département and région. For a commune or a département it
    is the article used in running text ("le Gard", "l'Hérault", "Le Havre"); for a région it is
    the liaison of its official name ("région d'Occitanie", "région de Normandie"), not the article
    of prose, which is why ``territories.naming`` writes régions as "la région Occitanie".
    """

    CONSONANT = 0, _("pas d'article, « de » (nom commençant par une consonne)")
    VOWEL = 1, _("pas d'article, « d' » (nom commençant par une voyelle)")
    LE = 2, _("article « le », « du »")
    LA = 3, _("article « la », « de la »")
    LES = 4, _("article « les », « des »")
    L_APOSTROPHE = 5, _("article « l' », « de l' »")
    AUX = 6, _("article « aux », « des »")
    LAS = 7, _("article « las », « de las »")
    LOS = 8, _("article « los », « de los »")


class NameMatch(models.TextChoices):
    """How a territory's name answers a name search, best first (``search_territories``)."""

    EXACT = "exact", _("nom exact")
    PREFIX = "prefix", _("début du nom")
    WORD = "word", _("début d'un mot du nom")
    APPROXIMATE = "approximate", _("orthographe approchée (suggestion)")


# The order of the groups in a search's results: ``match_quality`` annotates each territory.
NAME_MATCH_QUALITY: dict[str, int] = {
    NameMatch.EXACT: 0,
    NameMatch.PREFIX: 1,
    NameMatch.WORD: 2,
    NameMatch.APPROXIMATE: 3,
}
