"""An engine that holds nothing: no container, volume, image or event. A check judged on
it says its claim in the very words its results use before anything has run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tutor.core.engine.port import Container, Image, Listed, Network, NotFound, Volume


class Empty:
    """The port (see port.Port) of an engine that holds nothing."""

    def info(self) -> dict:
        return {}

    def containers(self, status: Sequence[str] = (), volume: str | None = None) -> list[Listed]:
        return []

    def container(self, ref: str) -> Container | None:
        return None

    def volumes(self, dangling: bool = False) -> list[Volume]:
        return []

    def volume(self, name: str) -> Volume | None:
        return None

    def networks(self) -> list[Network]:
        return []

    def network_used(self, ref: str) -> bool:
        return False

    def images(self, dangling: bool = False) -> list[Image]:
        return []

    def image_id(self, ref: str) -> str | None:
        return None

    def unused_build_cache(self) -> int:
        return 0

    def exec(
        self, container: str, argv: list[str], user: str = "", environment: dict | None = None
    ) -> tuple[int, bytes]:
        raise NotFound(container)

    def logs(self, container: str, tail: int | None = None) -> bytes:
        raise NotFound(container)

    def archive(self, container: str, path: str) -> Iterator[bytes]:
        raise NotFound(container)

    def create_probe(self, image: str, volume: str | None = None, at: str = "") -> str:
        raise NotFound(image)

    def create_volume(self, name: str, labels: dict) -> None:
        pass

    def remove(self, kind: str, ref: str) -> None:
        raise NotFound(ref)

    def events(self, since: str, until: str, filters: dict | None = None) -> list[dict]:
        return []

    def watch(self, filters: dict) -> Iterator[dict]:
        return iter(())
