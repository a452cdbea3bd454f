"""Facts a step remembers for later steps (kept in the learner's progress).

Some facts outlive the state that showed them: once `docker rm -f mydb` has run, only
the engine's event history still says which volume the old mydb used. Events are kept
in the engine's memory only (the most recent ones, none across a restart).
"""

from __future__ import annotations

from tutor.core.checks.base import Context, Field, MissingFact, fill
from tutor.core.checks.history import volume_of_removed

FACTS: dict[str, dict[str, Field]] = {
    "volume_at": {"container": Field(str, True), "destination": Field(str, True)},
    "removed_container_volume": {"role": Field(str), "container": Field(str), "destination": Field(str, True)},
}


def says(kind: str, params: dict) -> str:
    """What the fact is, in words: "the volume that temp_container has at /app/cache"."""
    who = params.get("container") or f"your {params.get('role')}"
    if kind == "volume_at":
        return f"the volume that {who} has at {params.get('destination')}"
    return f"the volume that the removed {who} had at {params.get('destination')}"


def find(kind: str, params: dict, ctx: Context) -> tuple[str | None, str]:
    """The fact's value (None: not found), and how it was found or why not."""
    try:
        params = fill(params, ctx.values)
    except MissingFact as missing:
        return None, f"it needs {{{missing}}}, which no earlier step has recorded"
    if kind == "volume_at":
        return _volume_at(ctx, **params)
    return volume_of_removed(ctx, params.get("role"), params.get("container"), params["destination"])


def _volume_at(ctx: Context, container: str, destination: str) -> tuple[str | None, str]:
    c = ctx.container(container)
    if c is None:  # removed since: the engine's history still says what it mounted
        ids = [cid for cid, past in ctx.history.containers().items() if past["name"] == container]
        for m in reversed(ctx.history.mounts()):
            if m.attrs.get("container") in ids and m.attrs.get("destination") == destination:
                return m.actor, f"the engine's events show {container} mounted it at {destination}"
        return None, f"no container named {container}, now or in the engine's recent events"
    for m in c.attrs.get("Mounts") or []:
        if m.get("Destination") == destination and m.get("Type") == "volume":
            return m["Name"], f"{container} mounts it at {destination}"
    return None, f"{container} has no volume at {destination}"
