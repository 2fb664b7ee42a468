"""The territorial scope of an API caller (see ``core.models.ApiToken``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from core.models import ApiToken


def token_of(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def scope_territory_ids(request) -> list[int] | None:
    """Territory ids the caller is limited to, or ``None`` when not limited by a token.

    Cached on the request: one query per request at most.
    """
    token = token_of(request)
    if token is None:
        return None
    cached = getattr(request, "_scope_ids", None)
    if cached is None:
        cached = sorted(token.scope.values_list("pk", flat=True))
        request._scope_ids = cached
    return cached


def is_nationwide_token(request) -> bool:
    token = token_of(request)
    return token is not None and not scope_territory_ids(request)


def restrict_to_scope(queryset: QuerySet, request, *, commune_path: str) -> QuerySet:
    """Rows whose commune (``commune_path``) lies in one of the token's territories.

    Without a token (session auth) or with an empty scope, nothing is restricted here: the
    permission classes decide whether such a caller may read at all.
    """
    from territories.models import TerritoryAncestor

    ids = scope_territory_ids(request)
    if not ids:
        return queryset
    # EXISTS rather than a join: a commune inside two scope territories must not be listed twice.
    return queryset.filter(
        Exists(
            TerritoryAncestor.objects.filter(
                descendant_id=OuterRef(commune_path), ancestor_id__in=ids
            )
        )
    )


def commune_in_scope(request, commune) -> bool:
    """True when ``commune`` lies in the caller's token scope (or the caller has no limit)."""
    from territories.models import TerritoryAncestor

    ids = scope_territory_ids(request)
    if not ids:
        return True
    if commune is None:
        return False
    return TerritoryAncestor.objects.filter(descendant=commune, ancestor_id__in=ids).exists()
