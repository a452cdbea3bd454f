"""Preparing machines for a workshop, on the real engine: doctor, the version gate, the
image bundle round trip and its bad inputs (serving the TUI: tests/engine/test_serve.py)."""

from __future__ import annotations

import json
import tarfile

import pytest

from tests.conftest import run_docklab

pytestmark = pytest.mark.engine
BUSYBOX = "docklab/busybox:stand-in"


def test_doctor_json_names_every_finding_and_lesson(home):
    out = run_docklab("doctor", "--json", home=home)
    report = json.loads(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr  # offline map: every lesson can run
    assert report["schema"] == 1 and report["ready"] is True and report["image_map"] == "offline"
    checks = {f["check"] for f in report["findings"]}
    assert {"engine", "cli", "compose", "storage", "kind", "disk"} <= checks
    assert all(f["status"] in ("ok", "warning", "problem") for f in report["findings"])
    assert all(f["todo"] for f in report["findings"] if f["status"] != "ok")
    assert {x["id"] for x in report["lessons"]} >= {"data-loss", "named-volumes"}


def test_doctor_says_what_is_missing_under_another_map(home, tmp_path, prefix):
    imap = tmp_path / "map.toml"
    imap.write_text(f'[images]\n"mysql:9.2.0" = "{prefix}/mysql:absent"\n')
    out = run_docklab("doctor", "--images", str(imap), home=home)
    assert out.returncode == 1
    assert f"problem lesson data-loss: image {prefix}/mysql:absent is missing" in out.stdout
    assert "→ Get the images" in out.stdout


def test_an_old_api_gates_the_subpath_lesson_everywhere(home):
    env = {"DOCKER_API_VERSION": "1.44"}
    doctor = json.loads(run_docklab("doctor", "--json", home=home, env=env).stdout)
    sub = next(x for x in doctor["lessons"] if x["id"] == "subpath")
    assert not sub["ready"] and any("API 1.45" in r for r in sub["reasons"])
    listed = json.loads(run_docklab("list", "--json", home=home, env=env).stdout)
    assert not next(x for x in listed if x["id"] == "subpath")["available"]
    checked = run_docklab("check", "subpath", home=home, env=env)
    assert checked.returncode == 3 and "API 1.45" in checked.stderr


def test_bundle_remove_load_round_trip(client, home, tmp_path, prefix):
    tag = f"{prefix}/busybox:bundle"
    client.images.get(BUSYBOX).tag(tag)
    imap = tmp_path / "map.toml"
    imap.write_text(f'[images]\nbusybox = "{tag}"\n')
    lesson = tmp_path / "01-tiny.md"
    lesson.write_text(f"""---
id: tiny
title: Tiny
summary: One volume.
images: [busybox]
resources: {{containers: [{prefix}-c], volumes: [{prefix}-v]}}
---

## Use a volume

```sh
docker run --name {prefix}-c -v {prefix}-v:/d busybox touch /d/ok
```

```yaml check
- mount: {{container: {prefix}-c, destination: /d, volume: {prefix}-v}}
```
""")
    bundle = tmp_path / "usb" / "docklab-images.tar"
    bundle.parent.mkdir()
    env = {"DOCKLAB_CONTENT": str(tmp_path)}
    try:
        listed = run_docklab("images", "list", "--json", "--images", str(imap), home=home, env=env)
        assert json.loads(listed.stdout) == [{"image": tag, "present": True, "size_mb": 2.0}]
        made = run_docklab("images", "bundle", str(bundle), "--images", str(imap), home=home, env=env)
        assert made.returncode == 0, made.stdout + made.stderr
        assert not list(bundle.parent.glob("*.part"))
        client.images.remove(tag)
        gone = run_docklab("images", "list", "--images", str(imap), home=home, env=env)
        assert gone.returncode == 1 and "MISSING" in gone.stdout
        loaded = run_docklab("images", "load", str(bundle), home=home, env=env)
        assert loaded.returncode == 0 and tag in loaded.stdout, loaded.stdout + loaded.stderr
        back = run_docklab("images", "list", "--images", str(imap), home=home, env=env)
        assert back.returncode == 0 and "present" in back.stdout
        ran = run_docklab("run", "tiny", "--auto", "--images", str(imap), home=home, env=env)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    finally:
        run_docklab("reset", "tiny", home=home, env=env)
        try:
            client.images.remove(tag)
        except Exception:
            pass


def test_bad_bundles_load_nothing(client, home, tmp_path, prefix):
    tag = f"{prefix}/busybox:trunc"
    client.images.get(BUSYBOX).tag(tag)
    good = tmp_path / "good.tar"
    with open(good, "wb") as fh:
        for chunk in client.images.get(tag).save(named=True):
            fh.write(chunk)
    client.images.remove(tag)
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    notatar = tmp_path / "notes.txt"
    notatar.write_text("not an archive")
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        tar.add(notatar, arcname="notes.txt")
    for path, reason in [
        (truncated, "not a complete docker-save archive"),
        (notatar, "not a complete docker-save archive"),
        (plain, "no manifest.json"),
        (tmp_path / "absent.tar", "does not exist"),
    ]:
        out = run_docklab("images", "load", str(path), home=home)
        assert out.returncode == 2, (path, out.stdout, out.stderr)
        assert reason in out.stderr and "Traceback" not in out.stderr
    assert not [i for i in client.images.list() if any(t.startswith(prefix) for t in i.tags)]


def test_a_map_naming_an_absent_image_cannot_be_bundled(home, tmp_path, prefix):
    imap = tmp_path / "map.toml"
    imap.write_text(f'[images]\nbusybox = "{prefix}/nothing:here"\n')
    out = run_docklab("images", "bundle", str(tmp_path / "b.tar"), "--images", str(imap), home=home)
    assert out.returncode == 2 and f"{prefix}/nothing:here" in out.stderr
    assert not (tmp_path / "b.tar").exists() and not (tmp_path / "b.tar.part").exists()


def test_pull_without_a_registry_says_what_to_do_instead(home, tmp_path, prefix):
    imap = tmp_path / "map.toml"
    imap.write_text(f'[images]\nbusybox = "{prefix}.invalid/busybox:1"\n')
    out = run_docklab("images", "pull", "--images", str(imap), home=home, timeout=120)
    assert out.returncode == 2 and "docklab images load FILE" in out.stderr, out.stdout + out.stderr
