"""Facts a step remembers for later steps (kept in the learner's progress).

Some facts outlive the state that showed them: once `docker rm -f mydb` has run, only
the engine's event history still says which volume the old mydb used. Events are kept
in the engine's memory only (the most recent ones, none across a restart).
"""

from __future__ import annotations

import time

from tutor.core.checks import Context, Field

FACTS: dict[str, dict[str, Field]] = {
    "volume_at": {"container": Field(str, True), "destination": Field(str, True)},
    "removed_container_volume": {"container": Field(str, True), "destination": Field(str, True)},
}


def evaluate(kind: str, params: dict, ctx: Context, since: float | None) -> tuple[str | None, str]:
    """Return (value, how it was found or why not)."""
    if kind == "volume_at":
        return _volume_at(ctx, **params)
    return _removed_container_volume(ctx, since=since, **params)


def _volume_at(ctx: Context, container: str, destination: str) -> tuple[str | None, str]:
    c = ctx.container(container)
    if c is None:
        return None, f"no container named {container}"
    for m in c.attrs.get("Mounts") or []:
        if m.get("Destination") == destination and m.get("Type") == "volume":
            return m["Name"], f"{container} mounts it at {destination}"
    return None, f"{container} has no volume at {destination}"


def mount_history(client, since: float | None) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """From the engine's events: container id -> name, and (container id, volume, destination)
    for every volume mount, oldest first."""
    start = since if since else time.time() - 6 * 3600
    names: dict[str, str] = {}
    mounts: list[tuple[str, str, str]] = []
    # Fractional "until" = now: the engine answers from its buffer and closes at once.
    events = client.api.events(since=f"{start:.9f}", until=f"{time.time():.9f}", decode=True,
                               filters={"type": ["container", "volume"]})
    for ev in events:
        actor = ev.get("Actor") or {}
        attrs = actor.get("Attributes") or {}
        if ev.get("Type") == "container" and "name" in attrs:
            names[actor.get("ID", "")] = attrs["name"]
        elif ev.get("Type") == "volume" and ev.get("Action") == "mount":
            mounts.append((attrs.get("container", ""), actor.get("ID", ""), attrs.get("destination", "")))
    return names, mounts


def _removed_container_volume(ctx: Context, container: str, destination: str,
                              since: float | None) -> tuple[str | None, str]:
    names, mounts = mount_history(ctx.client, since)
    current = ctx.container(container)
    for cid, volume, dest in reversed(mounts):
        if dest == destination and names.get(cid) == container and (current is None or current.id != cid):
            if ctx.container(cid) is None:
                return volume, f"the engine's events show the removed {container} mounted it at {destination}"
    return None, (f"the engine's recent events show no removed container {container} with a volume at "
                  f"{destination} (events do not survive an engine restart)")
