"""The offline stand-ins: every image a lesson names has one, and `docklab images build`
builds each one's base first (a FROM of a missing local tag would go to a registry)."""

import pytest

from tutor.core.lessons import catalog, lessonfile
from tutor.core.engine.images import ImageError, _with_bases, load_map, standins


def test_every_lesson_image_maps_to_a_stand_in():
    tags = {spec["tag"] for spec in standins().values()}
    offline = load_map("offline")
    for path in catalog.files():
        for image in lessonfile.load(path).images:
            assert offline.resolve(image) in tags, f"{path.name}: {image} has no offline stand-in"


def test_bases_are_built_first_and_only_once():
    specs = standins()
    order = _with_bases(specs, ["nginx", "alpine", "busybox"])
    assert order == ["busybox", "nginx", "alpine"]
    assert _with_bases(specs, list(specs)).index("busybox") < _with_bases(specs, list(specs)).index("php-apache")


def test_a_cycle_or_a_missing_base_is_refused():
    with pytest.raises(ImageError, match="built from each other"):
        _with_bases({"a": {"base": "b"}, "b": {"base": "a"}}, ["a"])
    with pytest.raises(ImageError, match="not a stand-in"):
        _with_bases({"a": {"base": "z"}}, ["a"])
