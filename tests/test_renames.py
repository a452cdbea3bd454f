"""Another name for a lesson's resource (the learner already has `my-vol`): replaced as a
whole word everywhere the lesson uses it, nowhere else."""

from tutor.core.lessons import catalog, lessonfile


def lesson(name: str):
    return lessonfile.load(next(p for p in catalog.files() if p.stem.endswith(name)))


def test_a_rename_reaches_commands_checks_resources_and_text():
    original = lesson("managing-volumes")
    renamed = original.renamed({"my-vol": "mine-2"})
    commands = [c.text for s in renamed.steps for c in s.commands]
    assert "docker volume create mine-2" in commands and "docker volume rm mine-2" in commands
    assert renamed.roles["first"].name == "mine-2"  # checks say {first}: the role carries the name
    assert renamed.resources.volumes == ("mine-2", "old-data", "tmp-vol", "tmp-keep") and renamed.renames == {
        "my-vol": "mine-2"
    }
    assert "mine-2" in renamed.steps[0].body and "my-vol" not in renamed.steps[0].body
    assert original.resources.volumes == ("my-vol", "old-data", "tmp-vol", "tmp-keep")  # the lesson itself is unchanged


def test_only_whole_names_change():
    renamed = lesson("mount-syntax").renamed({"web-v": "box"})
    commands = " ".join(c.text for s in renamed.steps for c in s.commands)
    assert "--name box -v my-vol:/app" in commands and "web-mount" in commands and "web-v" not in commands


def test_names_that_come_from_a_file_cannot_be_renamed():
    assert lesson("compose-volumes").renamable() == ["site-build"]  # typed in a command; the project's are not
    assert lesson("managing-volumes").renamable() == ["my-vol", "old-data", "tmp-vol", "tmp-keep"]


def test_a_new_name_must_be_one_docker_accepts():
    from tutor.core.model import usable_name

    assert all(usable_name(n) for n in ("mine-2", "My_vol.3", "9lives"))
    assert not any(usable_name(n) for n in ("", "-x", ".x", "_x", "a b", "a/b", "a:b"))


def test_the_cli_refuses_a_new_name_docker_would_refuse(capsys):
    from tutor.cli import main

    assert main(["run", "managing-volumes", "--auto", "--rename", "my-vol=-bad"]) == 2
    assert "'-bad' is not a usable new name" in capsys.readouterr().err
