import pytest

from tutor.core.engine.images import ImageError, ImageMap, load_map, reference_problem


def test_apply_replaces_whole_image_words_only():
    m = ImageMap("x", {"mysql:9.2.0": "docklab/mysql:stand-in", "nginx": "docklab/nginx:stand-in"})
    known = ("mysql:9.2.0", "nginx")
    assert m.apply("docker run -d --name mydb mysql:9.2.0", known) == "docker run -d --name mydb docklab/mysql:stand-in"
    # `mysql` the client, `mysql:9.2.0x`, and a path are not the image
    assert m.apply("docker exec -it mydb mysql -p", known) == "docker exec -it mydb mysql -p"
    assert m.apply("docker run mysql:9.2.0x", known) == "docker run mysql:9.2.0x"
    assert m.apply("cat /etc/nginx/nginx.conf", known) == "cat /etc/nginx/nginx.conf"
    assert m.apply("docker run --name web nginx", known) == "docker run --name web docklab/nginx:stand-in"
    # an image the lesson does not declare is left alone
    assert m.apply("docker run nginx", ("mysql:9.2.0",)) == "docker run nginx"


def test_the_text_a_learner_copies_from_carries_the_name_that_will_work():
    """Offline, a challenge's goal ("from `ubuntu`"), a hint's command and the quiz name the
    stand-in; prose around them keeps the word ("nginx runs no PHP")."""
    from tutor.core.lessons import catalog

    m = load_map("offline")
    assert m.in_code("from `ubuntu`, and nginx runs no PHP") == "from `docklab/ubuntu:stand-in`, and nginx runs no PHP"
    assert m.in_code("docker run -d ubuntu sleep 1") == "docker run -d docklab/ubuntu:stand-in sleep 1"
    assert m.in_code("```sh\ndocker run nginx:latest\n```") == "```sh\ndocker run docklab/nginx:stand-in\n```"
    lesson = catalog.find("anonymous-volumes").shown_with(m.in_code)
    challenge = lesson.steps[-1]
    assert "from `docklab/ubuntu:stand-in`" in challenge.body and "`ubuntu`" not in challenge.body
    assert (
        challenge.hints[-1].startswith("docker run -d --name temp_container5") and " ubuntu " not in challenge.hints[-1]
    )
    quiz = catalog.find("quiz").shown_with(m.in_code)
    assert any("docklab/ubuntu:stand-in" in q.question for s in quiz.steps for q in s.quiz)
    assert load_map("real").in_code("from `ubuntu`") == "from `ubuntu`"


def test_an_image_is_the_same_however_it_was_spelt():
    from tests.enginekit import RecordedEngine
    from tutor.core.checks import Context
    from tutor.core.checks.roles import Roles, normal_ref
    from tutor.core.engine.connection import Engine
    from tutor.core.model import Role

    assert normal_ref("ubuntu") == normal_ref("ubuntu:latest") == normal_ref("docker.io/library/ubuntu")
    assert normal_ref("ubuntu") != normal_ref("ubuntu:24.04") and normal_ref("a/b") == "docker.io/a/b:latest"
    ctx = Context(Engine(None, "26.1.5", "1.45", port=RecordedEngine()), seen={})  # no image: compared as spelt
    roles = Roles({}, ctx, {}, None, resolve=False)  # the real images: no map
    role = Role(key="box", kind="container", name="box", about="your box", image="ubuntu")
    assert roles._image_ok(role, "ubuntu:latest") and roles._image_ok(role, "docker.io/library/ubuntu")
    assert not roles._image_ok(role, "ubuntu:24.04")


def test_offline_map_and_bad_maps(tmp_path):
    assert load_map("offline").resolve("mysql:9.2.0") == "docklab/mysql:stand-in"
    assert load_map("real").resolve("mysql:9.2.0") == "mysql:9.2.0"
    with pytest.raises(ImageError, match="does not exist"):
        load_map(str(tmp_path / "nope.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[images\n")
    with pytest.raises(ImageError, match="not valid TOML"):
        load_map(str(bad))
    bad.write_text("[images]\nmysql = 3\n")
    with pytest.raises(ImageError, match="strings"):
        load_map(str(bad))
    good = tmp_path / "m.toml"
    good.write_text('[images]\n"mysql:9.2.0" = "registry.local/mysql:9"\n')
    assert load_map(str(good)).resolve("mysql:9.2.0") == "registry.local/mysql:9"


def test_environment_chooses_the_default_map(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path))
    monkeypatch.setenv("DOCKLAB_IMAGES", "offline")
    assert load_map().name == "offline"
    monkeypatch.delenv("DOCKLAB_IMAGES")
    assert load_map().name == "real"
    from tutor.core import settings

    settings.put("images", "offline")
    assert load_map().name == "offline"


@pytest.mark.parametrize(
    "good",
    [
        "busybox",
        "busybox:1.36",
        "docklab/mysql:stand-in",
        "registry.local:5000/team/db:9",
        "[::1]:5000/x",
        "mysql@sha256:" + "ab" * 32,
        "a__b.c-d/e:F_1.x",
    ],
)
def test_image_references_docker_takes(good):
    assert reference_problem(good) is None


@pytest.mark.parametrize(
    "bad",
    [
        "busybox; touch /tmp/x #",
        "$(id)",
        "busybox`id`",
        "busybox\nid",
        "Busybox",
        "a b",
        "-x",
        "x/",
        "a:b:c",
        "",
        "x:" + "t" * 129,
        "n" * 256,
        "busybox:lätest",
        "x@md5:ab",
    ],
)
def test_everything_else_is_refused(bad):
    assert reference_problem(bad)


def test_a_map_with_a_shell_command_in_it_is_refused_with_file_and_entry(tmp_path):
    bad = tmp_path / "evil.toml"
    bad.write_text(
        '[images]\n"mysql:9.2.0" = "docklab/mysql:stand-in"\n"busybox" = "busybox; touch /tmp/x #"\n'
        '"nginx && id" = "nginx"\n'
    )
    with pytest.raises(ImageError) as err:
        load_map(str(bad))
    lines = str(err.value).splitlines()
    assert lines[0].startswith(f"{bad}: busybox: 'busybox; touch /tmp/x #' is not an image reference")
    assert lines[1].startswith(f"{bad}: nginx && id: 'nginx && id' is not an image reference")
    assert not any(line.startswith(f"{bad}: mysql") for line in lines)  # a good entry is not blamed


def test_the_built_in_map_is_checked_too(monkeypatch, tmp_path):
    labs = tmp_path / "labs"
    (labs / "images").mkdir(parents=True)
    (labs / "images" / "offline.toml").write_text('[images]\n"busybox" = "busybox|id"\n')
    monkeypatch.setattr("tutor.core.engine.images.labs_dir", lambda: labs)
    with pytest.raises(ImageError, match=r"offline.toml: busybox: 'busybox\|id' is not an image reference"):
        load_map("offline")


def test_the_cli_refuses_the_map_before_anything_runs(tmp_path):
    from tests.conftest import run_docklab

    marker = tmp_path / "ran"
    bad = tmp_path / "evil.toml"
    bad.write_text(f'[images]\n"busybox" = "busybox; touch {marker} #"\n')
    home = tmp_path / "home"
    for args in (
        ["run", "mount-syntax", "--auto", "--images", str(bad)],
        ["check", "mount-syntax", "--images", str(bad)],
        ["config", "images", str(bad)],
    ):
        out = run_docklab(*args, home=home, env={"DOCKER_HOST": "unix:///nonexistent"})
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert f"{bad}: busybox: 'busybox; touch {marker} #' is not an image reference" in out.stderr, out.stderr
        assert "Traceback" not in out.stderr and not marker.exists()
    settings = home / "settings.json"
    assert not settings.exists() or "images" not in settings.read_text()  # `config` kept nothing
