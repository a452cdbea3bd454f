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
    assert renamed.resources.volumes == ("mine-2", "old-data") and renamed.renames == {"my-vol": "mine-2"}
    assert "mine-2" in renamed.steps[0].body and "my-vol" not in renamed.steps[0].body
    assert original.resources.volumes == ("my-vol", "old-data")  # the lesson itself is unchanged


def test_only_whole_names_change():
    renamed = lesson("mount-syntax").renamed({"web-v": "box"})
    commands = " ".join(c.text for s in renamed.steps for c in s.commands)
    assert "--name box -v my-vol:/app" in commands and "web-mount" in commands and "web-v" not in commands


def test_names_that_come_from_a_file_cannot_be_renamed():
    assert lesson("compose-volumes").renamable() == []
    assert lesson("managing-volumes").renamable() == ["my-vol", "old-data"]
