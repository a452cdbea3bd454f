"""Finding every prune in a command line, in any spelling the docker CLI accepts (the
engine side of the guard is proven in tests/engine/test_safety.py)."""

from tutor.core.learner.guard import PruneVerdict, prunes


def one(command: str):
    found = prunes(command)
    assert len(found) == 1, found
    return found[0]


def test_spellings_of_a_volume_prune():
    assert one("docker volume prune").what == "volume"
    assert not one("docker volume prune").all
    for flag in ("-a", "--all", "-af", "-fa", "--filter all=true", "--filter=all=1"):
        assert one(f"docker volume prune {flag}").all, flag
    p = one("docker volume prune -f --filter label=a=b --filter 'label!=keep' --filter=label=c")
    assert p.filters == [("label", "a=b"), ("label!", "keep"), ("label", "c")]


def test_prunes_inside_pipelines_lists_and_after_prefixes():
    assert one("echo y | docker volume prune").what == "volume"
    assert one("FOO=1 sudo docker system prune -a --volumes && docker volume ls").volumes
    assert [p.what for p in prunes("docker container prune -f; docker network prune -f")] == ["container", "network"]
    assert one("/usr/bin/docker image prune").what == "image"
    assert one("docker buildx prune").what == "builder"
    assert one("env DOCKER_API_VERSION=1.41 docker volume prune -f").api == "1.41"
    assert one("DOCKER_HOST=ssh://box docker volume prune").elsewhere == "ssh://box"
    assert one("bash -c 'docker volume ls && docker volume prune -a'").all
    assert one('sudo sh -c "echo y | docker system prune --volumes"').volumes


def test_global_options_and_other_engines():
    assert one("docker --log-level debug volume prune").elsewhere == ""
    assert one("docker -H tcp://10.0.0.2:2375 volume prune").elsewhere == "tcp://10.0.0.2:2375"
    assert one("docker --context=remote system prune").elsewhere == "remote"


def test_what_is_not_a_prune():
    for command in (
        "docker volume ls",
        "docker volume rm x",
        "echo docker volume prune",
        "docker run prune",
        "docker volume 'prune",
        "",
    ):
        assert prunes(command) == [], command


def test_the_message_names_each_foreign_item_and_what_to_do():
    v = PruneVerdict("docker volume prune", removes=["volume a", "volume b"], foreign=["volume b: not the lesson's"])
    assert not v.safe
    text = v.message()
    assert text.startswith("docklab will not run `docker volume prune`") and "  - volume b: not the lesson's" in text
    assert "Nothing was removed" in text
    assert v.message(refusing=False).startswith("Careful: `docker volume prune`")
    assert "all of it this lesson's" in PruneVerdict("x", removes=["volume a"]).message()
