"""Where the learner's own engine is (DOCKER_HOST, else the current context, else the
default socket) and how to make an SDK client for an address. Below both the
connection and the sandbox, which each need these."""

from __future__ import annotations

import os


def own_engine() -> tuple[str, str]:
    """The learner's own engine address and how it was chosen, as the `docker` CLI picks it."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"], "DOCKER_HOST"
    try:
        from docker.context import ContextAPI

        ctx = ContextAPI.get_current_context()
        if ctx is not None and ctx.Host:
            return ctx.Host, f"context {ctx.name}"
    except Exception:  # a broken ~/.docker/config.json: fall back like the CLI's default
        pass
    return "unix:///var/run/docker.sock", "default socket"


def make_client(
    base_url: str | None = None, tls=None, version: str = "auto", timeout: int = 60, env: dict[str, str] | None = None
):
    """A docker SDK client for `base_url` (and `tls`), else as docker.from_env() makes one
    from `env` (default: this process's environment), and the engine's `/version` answer
    when `version` is "auto" (else {}): asked once, to choose the API version, where the
    SDK's own "auto" asks it and the caller would ask it again.
    On a socket (unix, npipe, ssh) the client reads no proxy or netrc settings: none
    applies there, and requests would look them up at every request.
    Over TLS, requests would check the engine's certificate against $REQUESTS_CA_BUNDLE
    instead of the CA given (docker/docker-py#2433), so such a client takes no CA or proxy
    settings from the environment."""
    import docker
    from docker.utils import kwargs_from_env

    kwargs = {"base_url": base_url, "tls": tls} if base_url else kwargs_from_env(environment=env)

    def client_for(api: str):
        client = docker.DockerClient(version=api, timeout=timeout, **kwargs)
        # a socket, not TCP: no proxy or netrc applies, and requests would look them up at
        # every request (a third of its cost); TLS: the CA given, not the environment's
        if kwargs.get("tls") or client.api.base_url.startswith("http+docker://"):
            client.api.trust_env = False
        return client

    if version != "auto":
        return client_for(version), {}
    probe = client_for(docker.constants.MINIMUM_DOCKER_API_VERSION)
    try:
        about = probe.api.version(api_version=False)  # what the SDK's "auto" asks
    finally:
        probe.close()
    return client_for(about["ApiVersion"]), about
