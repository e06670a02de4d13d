"""Every page's layout: the URLs and static files it writes are worked out once (isa_portal.fixed_urls,
isa_portal.storage), and what is remembered is never written after it has changed."""

import json

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import override_settings
from django.urls import clear_url_caches, reverse, set_script_prefix

from accounts.navigation import NAV_ITEMS
from isa_portal.fixed_urls import fixed_url
from isa_portal.storage import ManifestStaticStorage

LAYOUT_URLS = [
    "home",
    "accounts:logout",
    "accounts:session_status",
    "accounts:session_extend",
    "accounts:signed_out",
]


@pytest.mark.parametrize("name", LAYOUT_URLS + [item.url_name for item in NAV_ITEMS])
def test_a_fixed_url_is_what_reverse_gives(name):
    assert fixed_url(name) == reverse(name)
    assert fixed_url(name) == reverse(name)  # and again, remembered


@pytest.mark.django_db
def test_the_layout_writes_its_urls_and_the_roles_navigation(client, practitioner):
    client.force_login(practitioner)
    page = client.get(reverse("decisions:list")).content.decode()
    for name in LAYOUT_URLS:
        assert f'"{reverse(name)}"' in page
    assert f'href="{reverse("decisions:list")}" aria-current="page"' in page
    assert f'href="{reverse("audit:entry_list")}"' not in page  # not the practitioner's


def test_under_another_script_prefix_the_urls_carry_it():
    home = fixed_url("accounts:logout")
    set_script_prefix("/isa/")
    try:
        assert fixed_url("accounts:logout") == "/isa" + home == reverse("accounts:logout")
    finally:
        set_script_prefix("/")
    assert fixed_url("accounts:logout") == home


urlpatterns = []  # filled below: the product's URLs moved under /moved/


def test_a_changed_urlconf_is_looked_up_again_not_remembered():
    from django.urls import include, path

    before = fixed_url("decisions:list")
    urlpatterns[:] = [path("moved/", include("isa_portal.urls"))]
    try:
        with override_settings(ROOT_URLCONF=__name__):
            assert fixed_url("decisions:list") == "/moved" + before
        assert fixed_url("decisions:list") == before
        # A URLconf changed in place, as Django's own caches are cleared for it.
        urlpatterns[:] = [path("elsewhere/", include("isa_portal.urls"))]
        with override_settings(ROOT_URLCONF=__name__):
            assert fixed_url("decisions:list") == "/elsewhere" + before
    finally:
        urlpatterns.clear()
        clear_url_caches()


def _manifest(folder, paths: dict[str, str]) -> None:
    (folder / "staticfiles.json").write_text(json.dumps({"paths": paths, "version": "1.1", "hash": "x"}))


def test_a_static_url_is_the_manifests_as_long_as_the_storage_holds_that_manifest(tmp_path, settings):
    settings.DEBUG = False
    _manifest(tmp_path, {"css/app.css": "css/app.111.css"})
    storage = ManifestStaticStorage(location=tmp_path, base_url="/static/")
    assert storage.url("css/app.css") == "/static/css/app.111.css"
    assert storage.url("css/app.css") == "/static/css/app.111.css"
    # A new collectstatic: the storage read its manifest when made, as Django's own does; a new one
    # (a new process, or Django's after a settings change) writes the new name.
    _manifest(tmp_path, {"css/app.css": "css/app.222.css"})
    assert ManifestStaticStorage(location=tmp_path, base_url="/static/").url("css/app.css") == (
        "/static/css/app.222.css"
    )
    # With DEBUG on the names are not hashed, whatever was remembered.
    settings.DEBUG = True
    assert storage.url("css/app.css") == "/static/css/app.css"
    settings.DEBUG = False
    # A name the manifest lacks fails every time, never remembered as something else.
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def test_collectstatic_forgets_the_urls_of_the_manifest_it_replaces(tmp_path, settings):
    settings.DEBUG = False
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "app.css").write_text("body { color: black; }")
    target = tmp_path / "static"
    target.mkdir()
    _manifest(target, {"css/app.css": "css/app.111.css"})
    storage = ManifestStaticStorage(location=target, base_url="/static/")
    assert storage.url("css/app.css") == "/static/css/app.111.css"
    storage.save("css/app.css", (source / "css" / "app.css").open("rb"))
    from django.core.files.storage import FileSystemStorage

    list(storage.post_process({"css/app.css": (FileSystemStorage(location=source), "css/app.css")}))
    written = storage.url("css/app.css")
    assert written != "/static/css/app.111.css"
    assert written == "/static/" + storage.hashed_files["css/app.css"]


def test_the_settings_storage_is_made_anew_when_the_static_url_changes(settings):
    settings.DEBUG = False
    manifest = {"staticfiles": {"BACKEND": "isa_portal.storage.ManifestStaticStorage"}}
    with override_settings(STATIC_URL="/first/", STORAGES={**settings.STORAGES, **manifest}):
        staticfiles_storage.hashed_files["css/app.css"] = "css/app.111.css"
        assert staticfiles_storage.url("css/app.css") == "/first/css/app.111.css"
        with override_settings(STATIC_URL="/second/"):
            staticfiles_storage.hashed_files["css/app.css"] = "css/app.111.css"
            assert staticfiles_storage.url("css/app.css") == "/second/css/app.111.css"
