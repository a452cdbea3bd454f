"""docklab's errors carry their exit codes, and one wrapper (cli.common.run) turns every
error a command raises into its code and message."""

import argparse

import pytest
from docker.errors import DockerException

from tutor.cli import main
from tutor.classroom.room import ClassroomError
from tutor.cli.common import run
from tutor.core.engine.connection import EngineUnavailable
from tutor.core.engine.images import ImageError
from tutor.core.engine.sandbox import SandboxError
from tutor.core.errors import NO_ENGINE, USAGE, DocklabError, brief
from tutor.core.grading.report import Unreadable
from tutor.core.grading.signing import BadKey
from tutor.core.learner.ownership import Conflict
from tutor.core.lessons.lessonfile import LessonFileError
from tutor.web.serve import ServeProblem


@pytest.mark.parametrize(
    "cls, code",
    [
        (EngineUnavailable, NO_ENGINE),
        (SandboxError, NO_ENGINE),
        (Conflict, NO_ENGINE),
        (ImageError, USAGE),
        (LessonFileError, USAGE),
        (BadKey, USAGE),
        (Unreadable, USAGE),
        (ServeProblem, USAGE),
        (ClassroomError, USAGE),
    ],
)
def test_each_error_of_docklab_is_a_docklab_error_with_its_exit_code(cls, code):
    assert issubclass(cls, DocklabError)
    assert cls.exit_code == code


def raising(err: BaseException):
    def handler(args) -> int:
        raise err

    return handler


def test_the_wrapper_prints_a_docklab_error_and_exits_with_its_code(capsys):
    assert run(raising(DocklabError("no lesson 'x'", exit_code=7)), argparse.Namespace()) == 7
    assert capsys.readouterr().err == "no lesson 'x'\n"


def test_the_wrapper_says_the_engine_was_lost_mid_command(capsys):
    assert (
        run(
            raising(DockerException("Error while fetching server API version (Connection aborted.)")),
            argparse.Namespace(),
        )
        == NO_ENGINE
    )
    err = capsys.readouterr().err
    assert err.startswith("Lost the Docker Engine: Error while fetching server API version. Your progress is kept")


def test_the_wrapper_lets_a_bug_through():
    with pytest.raises(ZeroDivisionError):
        run(raising(ZeroDivisionError()), argparse.Namespace())


def test_an_unknown_lesson_is_a_usage_error(capsys, monkeypatch):
    assert main(["check", "no-such-lesson"]) == USAGE
    assert "no lesson 'no-such-lesson'" in capsys.readouterr().err


def test_brief_drops_the_sdk_details_in_parentheses():
    assert brief(Exception("500 Server Error (for url: http+docker://x)")) == "500 Server Error"
    assert brief(KeyError()) == "KeyError"


def test_a_classroom_error_goes_through_the_wrapper(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKLAB_HOME", str(tmp_path))
    assert main(["classroom", "status", "--name", "nosuchroom"]) == USAGE
    assert "docklab classroom: no classroom nosuchroom here" in capsys.readouterr().err
