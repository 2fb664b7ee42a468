"""Real communes to spread generated rows over, drawn with probability proportional to population."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from territories.enums import LEVEL_RANK
from territories.models import PostalCode, Territory, TerritoryAncestor


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    code: str
    name: str
    latitude: float
    longitude: float
    departement_id: int | None
    departement_code: str
    region_id: int | None
    epci_id: int | None
    postal_code: str
    population: int


class Places:
    """Every current commune with a point, in code order (so that a seed gives the same draws)."""

    def __init__(self) -> None:
        departements = {
            t["pk"]: t
            for t in Territory.objects.filter(level="departement").values("pk", "code", "parent_id")
        }
        # Filtering on the stored rank avoids two joins that SQLite's planner handles badly.
        epci_of = dict(
            TerritoryAncestor.objects.filter(ancestor_rank=LEVEL_RANK["epci"]).values_list(
                "descendant_id", "ancestor_id"
            )
        )
        postal: dict[int, str] = {}
        for commune_id, code in PostalCode.objects.order_by("code").values_list(
            "commune_id", "code"
        ):
            postal.setdefault(commune_id, code)
        self.places: list[Place] = []
        rows = (
            Territory.objects.current()
            .filter(level="commune", latitude__isnull=False)
            .order_by("code")
            .values_list("pk", "code", "name", "latitude", "longitude", "parent_id", "population")
        )
        for pk, code, name, lat, lon, dep_id, population in rows:
            dep = departements.get(dep_id)
            self.places.append(
                Place(
                    id=pk,
                    code=code,
                    name=name,
                    latitude=lat,
                    longitude=lon,
                    departement_id=dep_id,
                    departement_code=dep["code"] if dep else "",
                    region_id=dep["parent_id"] if dep else None,
                    epci_id=epci_of.get(pk),
                    postal_code=postal.get(pk, ""),
                    population=max(population or 0, 1),
                )
            )
        self.cum_weights = list(itertools.accumulate(p.population for p in self.places))
        self.france_id = (
            Territory.objects.filter(level="country", code="FR")
            .values_list("pk", flat=True)
            .first()
        )

    def __len__(self) -> int:
        return len(self.places)

    def draw(self, rng: random.Random, k: int) -> list[Place]:
        """``k`` communes, with replacement, weighted by legal population."""
        return rng.choices(self.places, cum_weights=self.cum_weights, k=k)

    def level_id(self, place: Place, level: str) -> int | None:
        """The territory of ``level`` around ``place`` (an EPCI falls back to the département)."""
        if level == "commune":
            return place.id
        if level == "epci":
            return place.epci_id or place.departement_id
        if level == "departement":
            return place.departement_id
        if level == "region":
            return place.region_id or place.departement_id
        return self.france_id
