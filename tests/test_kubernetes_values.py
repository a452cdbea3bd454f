"""deploy/kubernetes/values.yaml as KubeSpawner renders it, with no cluster: the learner's
pod has docklab and a privileged docker:dind sidecar (and only the sidecar privileged),
reaches that engine through a unix socket in the pod with no port open to the cluster,
keeps progress on a per-learner claim and has resource limits, and is a valid pod spec
by the `kubernetes` client's models; and the hub puts each learner on a subdomain of their
own, and learners' pods reach neither the cloud's metadata address nor other networks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

pytest.importorskip("kubespawner", reason="the classroom extra: scripts/venv test classroom")
DEPLOY = ROOT / "deploy" / "kubernetes"


def load_render():
    spec = importlib.util.spec_from_file_location("docklab_render", DEPLOY / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


@pytest.fixture(scope="module")
def pod(values) -> dict:
    return load_render().render(values, "alice")


def containers(pod: dict) -> dict[str, dict]:
    return {c["name"]: c for c in pod["spec"]["containers"]}


def env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def test_only_the_sidecar_is_privileged(pod):
    boxes = containers(pod)
    assert set(boxes) == {"notebook", "dind"}
    assert boxes["dind"]["securityContext"]["privileged"] is True
    learner = boxes["notebook"].get("securityContext") or {}
    assert not learner.get("privileged") and learner.get("allowPrivilegeEscalation") is False
    assert learner.get("runAsUser") not in (None, 0)
    assert not pod["spec"].get("initContainers")


def test_docklab_reaches_the_sidecar_by_a_socket_in_the_pod_and_no_port_is_open(pod):
    boxes = containers(pod)
    host = env(boxes["notebook"])["DOCKER_HOST"]
    assert host.startswith("unix://")
    socket_dir = str(Path(host.removeprefix("unix://")).parent)
    dind = boxes["dind"]
    assert dind["args"][0] == "dockerd" and f"--host={host}" in dind["args"]
    assert not any("tcp://" in a or a.startswith("-H=tcp") for a in dind["args"])
    assert env(dind)["DOCKER_TLS_CERTDIR"] == ""
    assert not dind.get("ports")
    # the socket's folder is one emptyDir, shared by these two containers only
    shared = {m["name"] for c in boxes.values() for m in c["volumeMounts"] if m["mountPath"] == socket_dir}
    assert len(shared) == 1
    assert {"emptyDir": {}} == {
        k: v for k, v in next(v for v in pod["spec"]["volumes"] if v["name"] in shared).items() if k != "name"
    }
    # the learner's server port (behind the hub's login) is the one port, on no host
    ports = [p for c in boxes.values() for p in c.get("ports") or []]
    assert [p["containerPort"] for p in ports] == [8888] and not any(p.get("hostPort") for p in ports)
    assert not pod["spec"].get("hostNetwork")


def test_progress_images_and_limits(pod, values):
    boxes = containers(pod)
    mounts = {m["mountPath"]: m for m in boxes["notebook"]["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    progress = volumes[mounts[env(boxes["notebook"])["DOCKLAB_HOME"]]["name"]]
    assert progress["persistentVolumeClaim"]["claimName"] == "claim-alice"  # per learner, outlives the pod
    images = mounts["/opt/docklab-images"]
    assert images["readOnly"] and volumes[images["name"]]["persistentVolumeClaim"]["readOnly"]
    assert env(boxes["notebook"])["DOCKLAB_IMAGE_BUNDLE"].startswith("/opt/docklab-images/")
    for box in boxes.values():
        assert {"cpu", "memory"} <= set(box["resources"]["limits"]), box["name"]
    assert values["cull"]["enabled"] and values["cull"]["timeout"] > 0
    assert "docklab-view" in values["hub"]["services"]


def test_it_is_a_valid_pod_spec(pod):
    from kubernetes.client import ApiClient, V1Pod

    # KubeSpawner writes CPU and memory quantities as JSON numbers, which the API server takes
    # (a Quantity reads a number or a string); the client's models type them as strings.
    import copy

    pod = copy.deepcopy(pod)
    for box in pod["spec"]["containers"]:
        for part in ("limits", "requests"):
            box["resources"][part] = {k: str(v) for k, v in box["resources"].get(part, {}).items()}
    api = ApiClient()
    model = api._ApiClient__deserialize(pod, "V1Pod")  # the client's models raise on a missing or wrong field
    assert isinstance(model, V1Pod)

    def shape(x):
        if isinstance(x, dict):
            return {k: shape(v) for k, v in x.items()}
        if isinstance(x, list):
            return [shape(v) for v in x]
        return str(x)

    # nothing the models do not know was dropped on the way (quantities compared as text)
    assert shape(api.sanitize_for_serialization(model)) == shape(pod)


def test_each_learner_on_a_subdomain_and_no_way_out_but_the_hub(values):
    hub = values["hub"]["config"]["JupyterHub"]
    host = hub["subdomain_host"]
    assert host.startswith("https://") and hub["cookie_host_prefix_enabled"] is True  # __Host- needs HTTPS
    domain = host.removeprefix("https://")
    assert set(values["ingress"]["hosts"]) == {domain, f"*.{domain}"}
    assert set(values["ingress"]["tls"][0]["hosts"]) == {domain, f"*.{domain}"}
    rules = values["singleuser"]["networkPolicy"]["egressAllowRules"]
    assert values["singleuser"]["networkPolicy"]["enabled"] is True
    assert rules["cloudMetadataServer"] is False and rules["privateIPs"] is False and rules["nonPrivateIPs"] is False
