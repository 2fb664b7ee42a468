"""Security headers: the sources a page may load, and the browser features it may use.

Pure functions of settings values, so that ``registry/settings.py`` can build the
Content-Security-Policy from ``MAP_TILE_URL`` and the middleware can format Permissions-Policy.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def tile_sources(tile_url: str) -> list[str]:
    """The CSP ``img-src`` source of a Leaflet tile URL template, e.g.
    ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` → ``["https://tile.openstreetmap.org"]``.

    A ``{s}`` subdomain placeholder becomes a ``*.`` wildcard (``https://{s}.tile.example.org``
    → ``https://*.tile.example.org``). An empty URL (no tiles) or a relative one (tiles served by
    the application, already covered by ``'self'``) adds nothing.
    """
    if not tile_url:
        return []
    parts = urlsplit(tile_url.replace("{s}", "__subdomain__"))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return []
    host = parts.netloc.rsplit("@", 1)[-1].replace("__subdomain__", "*")
    if "{" in host:
        # Any other placeholder in the host name: the whole scheme is the only safe statement.
        return [f"{parts.scheme}:"]
    return [f"{parts.scheme}://{host}"]


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """The ``Permissions-Policy`` value of ``{"camera": [], "fullscreen": ["self"]}``:
    ``camera=(), fullscreen=(self)``. Origins other than ``self`` / ``*`` are quoted."""

    def item(origin: str) -> str:
        return origin if origin in {"self", "*"} else f'"{origin}"'

    return ", ".join(
        f"{feature}=({' '.join(item(o) for o in origins)})" for feature, origins in policy.items()
    )
