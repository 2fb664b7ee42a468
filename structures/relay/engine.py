"""The nearest competent relay (docs/relay.md; rules R1–R10 of docs/domain.md).

``find_relays`` takes a checked ``RelayQuery`` (``structures.relay.query``) and returns the
competent relays in order, then labelled fallbacks, each explained. It cannot fail on input:
every check happened when the query was built. The steps live in their own modules: reading
the index (``search``), the order (``ranking``), the criteria (``criteria``), the fallbacks
(``fallbacks``), loading what is shown (``results``) and the sentences (``wording``).
"""

from __future__ import annotations

from django.utils import timezone

from structures.relay import criteria
from structures.relay.fallbacks import find_fallbacks
from structures.relay.query import RelayQuery
from structures.relay.ranking import CompetentRanking
from structures.relay.results import load_results
from structures.relay.search import Where, nearest
from structures.relay.types import RelayResponse
from structures.relay.wording import Reasons, with_hint


def find_relays(query: RelayQuery) -> RelayResponse:
    """The nearest competent relays for the query's need, with labelled fallbacks."""
    judge = criteria.Judge.for_query(query, today=query.today or timezone.localdate())
    ranking = CompetentRanking.for_query(query)
    location = query.location
    covering: set[int] = set()
    seen = nearest(
        Where(service_id=query.service.pk, territory_ids=location.ancestor_ids),
        origin=(location.latitude, location.longitude),
        judge=judge,
        k=query.k,
        order=ranking.key,
        settled=ranking.settled,
        covering=covering,
    )
    competent = ranking.mark_region_first(seen.found)
    fallbacks = find_fallbacks(query, judge=judge, seen=seen, covering=covering)
    chosen = competent + fallbacks
    reasons = Reasons([candidate.conditions for candidate in chosen], query)
    results = reasons.results = load_results(
        chosen, query, notes=reasons.notes, sentences=reasons.sentences
    )
    response = RelayResponse(
        location=location,
        service=query.service,
        country=query.country,
        sectors=query.sector_codes,
        profile_given=query.profile is not None,
        results=results[: len(competent)],
        fallbacks=results[len(competent) :],
    )
    return with_hint(response)
