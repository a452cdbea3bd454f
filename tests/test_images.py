import pytest

from tutor.core.images import ImageError, ImageMap, load_map


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
