"""The pty runner on real processes (no Docker needed)."""

from tutor.core.model import Answer
from tutor.core.engine.runner import run


def test_streams_output_and_exit_code():
    chunks = []
    r = run("echo one; echo two; exit 4", emit=chunks.append)
    assert r.exit_code == 4
    assert "one\ntwo\n" in "".join(chunks)


def test_answers_a_password_prompt_without_echoing_the_secret():
    script = 'read -s -p "Enter password: " p; echo; read -p "> " q; echo "got $p and $q"'
    r = run(script, answers=(Answer("Enter password:", "hunter2"), Answer("> ", "SELECT 1;")), secrets=("hunter2",))
    assert r.exit_code == 0
    assert "got ******** and SELECT 1;" in r.output
    assert "hunter2" not in r.output


def test_a_pty_is_a_terminal():
    assert run("test -t 0 && test -t 1").exit_code == 0


def test_timeouts_are_bounded_and_say_what_was_awaited():
    r = run("sleep 30", timeout=0.5)
    assert r.timed_out and r.exit_code is None
    r = run("read x", answers=(Answer("never shown", "x"),), timeout=0.5)
    assert r.timed_out and r.waiting_for == "never shown"


def test_a_command_that_ends_before_its_prompt_is_not_a_timeout():
    r = run("echo bye", answers=(Answer("Enter password:", "x"),), timeout=5)
    assert not r.timed_out and r.exit_code == 0 and r.waiting_for == "Enter password:"
