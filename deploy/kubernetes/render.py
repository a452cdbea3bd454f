"""Render the learner pod that KubeSpawner would create from values.yaml, with no cluster.

    python deploy/kubernetes/render.py [values.yaml] [--user NAME]   # prints the pod as YAML

The Zero to JupyterHub chart turns `singleuser:` values into KubeSpawner settings in its
hub's jupyterhub_config.py; `kubespawner_config` does the same for the keys these values
use (the chart's names, its defaults for the per-user volume), and KubeSpawner itself
makes the pod. tests/test_kubernetes_values.py checks the result."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def kubespawner_config(values: dict):
    from traitlets.config import Config

    single = values["singleuser"]
    c = Config()
    k = c.KubeSpawner
    image = single["image"]
    k.image = f"{image['name']}:{image['tag']}"
    k.image_pull_policy = image.get("pullPolicy", "IfNotPresent")
    k.cmd = single.get("cmd")
    k.default_url = single.get("defaultUrl", "")
    k.uid = single.get("uid", 1000)
    k.fs_gid = single.get("fsGid", 100)
    k.environment = dict(single.get("extraEnv") or {})
    k.extra_containers = list(single.get("extraContainers") or [])
    storage = single.get("storage") or {}
    volumes, mounts = [], []
    if storage.get("type") == "dynamic":  # the chart's own names for the per-user claim
        k.pvc_name_template = "claim-{username}{servername}"
        k.storage_pvc_ensure = True
        k.storage_capacity = storage.get("capacity", "10Gi")
        volumes.append({"name": "volume-{username}{servername}", "persistentVolumeClaim": {"claimName": "{pvc_name}"}})
        mounts.append(
            {"mountPath": storage.get("homeMountPath", "/home/jovyan"), "name": "volume-{username}{servername}"}
        )
    k.volumes = volumes + list(storage.get("extraVolumes") or [])
    k.volume_mounts = mounts + list(storage.get("extraVolumeMounts") or [])
    for key, trait in (("cpu", "cpu"), ("memory", "mem")):
        for part in ("limit", "guarantee"):
            value = (single.get(key) or {}).get(part)
            if value is not None:
                setattr(k, f"{trait}_{part}", value)
    return c


def render(values: dict, user: str = "alice") -> dict:
    """The learner pod as a plain dict (what the Kubernetes API would be sent)."""
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    class User:
        name = user
        id = 1
        url = f"/user/{user}/"
        escaped_name = user

    from unittest import mock

    async def make():
        # no cluster, no kube config: nothing is loaded and nothing is sent
        with mock.patch("kubespawner.spawner.load_config"), mock.patch("kubespawner.spawner.shared_client"):
            spawner = KubeSpawner(config=kubespawner_config(values), _mock=True)
            spawner.user = User()
            spawner.pvc_name = spawner._expand_user_properties(spawner.pvc_name_template)
            pod = await spawner.get_pod_manifest()
        async with ApiClient() as api:
            return api.sanitize_for_serialization(pod)

    return asyncio.run(make())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("values", nargs="?", default=str(HERE / "values.yaml"))
    parser.add_argument("--user", default="alice")
    args = parser.parse_args(argv)
    values = yaml.safe_load(Path(args.values).read_text())
    yaml.safe_dump(render(values, args.user), sys.stdout, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
