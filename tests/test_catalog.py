"""The one lesson catalog: found in the content folder, loaded with problems, found by id or file."""

import shutil

import pytest

from tutor.core.errors import ContentError, UsageError
from tutor.core.lessons import catalog
from tutor.core.paths import content_dir


def test_every_lesson_file_is_found_in_order_with_its_id():
    paths = catalog.files()
    assert paths == sorted(paths) and len(paths) >= 2
    assert catalog.ids()[:2] == ["data-loss", "named-volumes"]
    assert [lesson.id for lesson in catalog.load_all()] == catalog.ids()


def test_a_lesson_is_found_by_id_or_by_file():
    assert catalog.find("named-volumes").id == "named-volumes"
    assert catalog.find(str(catalog.files()[0])).id == catalog.ids()[0]


def test_an_unknown_lesson_names_the_lessons_there_are():
    with pytest.raises(UsageError, match="no lesson 'nope'. Lessons: data-loss, named-volumes"):
        catalog.find("nope")


def test_no_lessons_at_all_says_where_docklab_looked(tmp_path):
    with pytest.raises(ContentError, match=f"no lessons in {tmp_path}"):
        catalog.files(tmp_path)
    assert catalog.load_usable(tmp_path) == ([], [])


def test_a_broken_lesson_is_left_out_with_its_problems(tmp_path):
    first = catalog.files()[0]
    shutil.copy(first, tmp_path / first.name)
    (tmp_path / "99-broken.md").write_text("---\nid: broken\n---\nno steps\n")
    lessons, problems = catalog.load_usable(tmp_path)
    assert [lesson.id for lesson in lessons] == [catalog.lesson_id(first)]
    assert problems and all(p.path.name == "99-broken.md" for p in problems)
    assert catalog.files(tmp_path)[0].parent == tmp_path and content_dir() != tmp_path
