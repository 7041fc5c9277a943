"""Headers and defaults (issue 8): a Content-Security-Policy the pages pass (no inline
script, no inline event handlers), Permissions-Policy, no server banner in production,
`make run` with debug off, and uploaded files only through access-checked views.

The browser half (the pages really run under the policy) is
tests/browser/test_content_security_policy.py."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches

from drills import services as drill_services
from tests.drills.helpers import plan_drill

ROOT = Path(__file__).resolve().parents[2]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class ScriptsAndHandlers(HTMLParser):
    """Collects every <script> that would run inline and every on*= attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.external_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        self.handlers += [f"<{tag} {k}=...>" for k in named if k.startswith("on")]
        if tag == "script":
            if named.get("src"):
                self.external_scripts.append(named["src"])
            elif named.get("type") != "application/json":
                self._in_inline_script = True
                self.inline_scripts.append("")
        if tag == "a" and (named.get("href") or "").strip().lower().startswith("javascript:"):
            self.handlers.append(f"<a href={named['href']}>")

    def handle_data(self, data):
        if self._in_inline_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def scan(html: str) -> ScriptsAndHandlers:
    parser = ScriptsAndHandlers()
    parser.feed(html)
    return parser


def page_urls(w) -> list[str]:
    return [
        "/",
        "/forces/",
        "/forces/?q=水利",
        f"/forces/{w.force_a.pk}/",
        f"/forces/{w.force_a.pk}/edit/",
        "/forces/experts/",
        "/forces/census/",
        "/command/incidents/",
        "/command/incidents/new/",
        f"/command/incidents/{w.incident_a.pk}/",
        f"/dispatch/incidents/{w.incident_a.pk}/plans/new/",
        "/dispatch/plans/",
        "/dispatch/orders/",
        "/dispatch/reinforcements/",
        "/dispatch/notices/",
        "/duty/rosters/",
        "/duty/spot-checks/",
        "/duty/rollcalls/",
        "/duty/rollcalls/answer/",
        "/duty/rollcalls/report/",
        "/drills/",
        "/drills/calendar/",
        "/drills/compliance/",
        "/drills/plans/",
        "/hall/screen/",
        "/hall/dashboard/",
        "/api/docs/",
        "/api/redoc/",
        "/admin/",
        # the account pages, where the platform has them
        "/accounts/",
        "/accounts/new/",
        f"/accounts/{w.duty_officer_a.pk}/",
        "/accounts/organisations/",
        "/accounts/organisations/new/",
    ]


PERSONAS = [
    "duty_officer_a",
    "approver_a",
    "dispatcher_a",
    "editor_a",
    "force_account_a",
    "screen_a",
    "admin_a",
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_has_inline_script_or_event_handler(incident_world, client, persona):
    w = incident_world
    client.force_login(getattr(w, persona))
    rendered = 0
    for url in page_urls(w):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        rendered += 1
        found = scan(response.content.decode())
        assert found.inline_scripts == [], (url, found.inline_scripts)
        assert found.handlers == [], (url, found.handlers)
        assert "'unsafe-inline'" not in policy(response)["script-src"], url
    assert rendered >= 3, f"{persona} saw fewer pages than expected"


@pytest.mark.django_db
def test_login_page_has_no_inline_script(client):
    response = client.get("/login/")
    found = scan(response.content.decode())
    assert found.external_scripts, "the scan sees the page's scripts"
    assert found.inline_scripts == [] and found.handlers == []


def test_the_scanner_finds_inline_script_and_handlers():
    found = scan(
        '<script>alert(1)</script><script type="application/json">{}</script>'
        '<script src="/static/x.js"></script><form onsubmit="return confirm(1)"></form>'
        '<a href="javascript:void(0)">x</a>'
    )
    assert found.inline_scripts == ["alert(1)"]
    assert found.external_scripts == ["/static/x.js"]
    assert len(found.handlers) == 2


def test_templates_carry_no_inline_handlers_or_scripts():
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
    inline_script = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>")
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if handler.search(text) or inline_script.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(world, client):
    client.force_login(world.duty_officer_a)
    csp = policy(client.get("/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert "data:" in csp["img-src"] and "data:" in csp["font-src"]


@pytest.mark.django_db
def test_error_pages_carry_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert policy(response)["script-src"] == ["'self'"]
    assert "Permissions-Policy" in response


@pytest.mark.django_db
def test_api_docs_relax_styles_only_and_still_render(world, client):
    client.force_login(world.admin_a)
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" in csp["style-src"], url
        assert "fonts.googleapis.com" not in response.content.decode(), url
    docs = client.get("/api/docs/").content.decode()
    script_url = re.search(r'<script src="(/api/docs/\?[^"]*script=[^"]*)"', docs).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_permissions_policy_and_isolation_headers_on_every_response(world, client):
    client.force_login(world.duty_officer_a)
    for url in ("/", "/login/", "/api/v1/", "/no-such-page/"):
        response = client.get(url)
        features = dict(
            item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", (url, feature)
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url


def test_map_tile_host_is_allowed_for_images():
    from config.settings import _tile_source

    assert _tile_source("") == []
    assert _tile_source("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=k&x={x}") == [
        "https://*.tianditu.gov.cn"
    ]
    assert _tile_source("https://tiles.example.cn/{z}/{x}/{y}.png") == ["https://tiles.example.cn"]


# --- production server banner ----------------------------------------------------------------


def test_production_servers_send_no_server_banner():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert "uvicorn" in cmd and "--no-server-header" in cmd
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    web = compose["services"]["web"]["command"]
    assert "uvicorn" in web and "--no-server-header" in web
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    daphne_lines = [line for line in makefile.splitlines() if "bin/daphne" in line]
    assert daphne_lines and all("--no-server-name" in line for line in daphne_lines)


# --- make run: the embedded platform with debug off --------------------------------------------


def make_run_environment() -> dict[str, str]:
    """The ``run: export NAME := value`` lines of the Makefile."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = dict(re.findall(r"^run: export (\w+) \??:?= ?(.*)$", makefile, re.MULTILINE))
    assert found, "make run sets no environment?"
    return found


def settings_in(env_overrides: dict[str, str], expression: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MAP_TILE"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", expression],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_loads_with_debug_off_and_a_kept_secret_key(tmp_path):
    env = make_run_environment()
    assert env["DJANGO_DEBUG"] == "0"
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 20 + "-kept-across-restarts-" + "k" * 30 + "\n")
    env["DJANGO_SECRET_KEY_FILE"] = str(key_file)
    env["MAP_TILE_URL"] = "https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}"
    out = settings_in(
        env,
        "from django.conf import settings as s; "
        f"print(s.DEBUG, s.SECRET_KEY == open({str(key_file)!r}).read().strip(), "
        "s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[-1], "
        "' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))",
    )
    assert out.splitlines()[-1] == (
        "False True False False 0 CompressedManifestStaticFilesStorage "
        "'self' data: blob: https://*.tianditu.gov.cn"
    )


def test_make_run_demo_logs_in_without_a_second_factor_unless_asked(tmp_path):
    """The embedded demo leaves TOTP off (its login page says so); production asks it of
    administrators and approvers."""
    env = make_run_environment()
    assert env["OTP_REQUIRED_ROLES"] == ""
    key_file = tmp_path / "secret_key"
    key_file.write_text("s" * 64)
    env["DJANGO_SECRET_KEY_FILE"] = str(key_file)
    code = "from django.conf import settings as s; print(s.OTP_REQUIRED_ROLES)"
    assert settings_in(env, code).splitlines()[-1] == "[]"
    env["OTP_REQUIRED_ROLES"] = "administrator,bureau_approver"
    assert settings_in(env, code).splitlines()[-1] == "['administrator', 'bureau_approver']"


def test_make_run_collects_static_files_and_dev_keeps_debug():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run_recipe = makefile.split("\nrun: install", 1)[1].split("\n\n", 1)[0]
    assert "collectstatic --noinput" in run_recipe
    assert re.search(r"^dev: export DJANGO_DEBUG := 1$", makefile, re.MULTILINE)


def test_debug_off_refuses_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_deploy_check_passes_as_in_ci():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="ci-" + "x7Kq2mZ9vB4nR8tW1yL6pD3sF0hJ5gC" * 2,
        DJANGO_ALLOWED_HOSTS="linkage.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- uploaded files only through access-checked views -------------------------------------------


@pytest.fixture
def attachment(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    drill = plan_drill(world.admin_a, world.bureau_a, planned_date=date(2026, 5, 20))
    upload = SimpleUploadedFile("现场照片.jpg", JPEG, content_type="image/jpeg")
    return drill_services.add_drill_attachment(
        actor=world.duty_officer_a, drill_id=drill.pk, upload=upload
    )


@pytest.fixture
def urls_built_with_debug(settings):
    """config.urls as imported with DEBUG on (as `make dev` does), restored afterwards."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["run", "dev"])
def test_media_files_are_not_served_directly(attachment, world, client, debug, request):
    if debug:
        request.getfixturevalue("urls_built_with_debug")
    assert (Path(attachment.file.path)).exists()
    client.force_login(world.admin_a)
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


@pytest.mark.django_db
def test_attachment_is_served_to_its_county_only(attachment, world, client):
    client.force_login(world.duty_officer_a)
    response = client.get(f"/drills/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    client.force_login(world.duty_officer_b)
    assert client.get(f"/drills/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.django_db
def test_nothing_links_to_media(attachment, world, client):
    client.force_login(world.duty_officer_a)
    page = client.get(f"/drills/{attachment.drill_id}/").content.decode()
    assert f"/drills/attachments/{attachment.pk}/" in page
    assert "/media/" not in page
    for path in (ROOT / "templates").rglob("*.html"):
        assert "/media/" not in path.read_text(encoding="utf-8"), path
        assert ".file.url" not in path.read_text(encoding="utf-8"), path


@pytest.mark.django_db
def test_admin_links_an_attachment_through_the_checked_view(attachment, world, client):
    from core.models import User

    operator = User.objects.create_superuser("operator", password="pw-Operator-2026-x")
    client.force_login(operator)
    page = client.get(f"/admin/drills/drillattachment/{attachment.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/drills/attachments/{attachment.pk}/" in html
    assert "/media/" not in html


@pytest.mark.django_db
def test_admin_pages_have_no_inline_script(world, client):
    from core.models import User

    operator = User.objects.create_superuser("operator", password="pw-Operator-2026-x")
    client.force_login(operator)
    urls = [
        "/admin/",
        "/admin/core/user/",
        "/admin/core/user/add/",
        f"/admin/core/user/{world.duty_officer_a.pk}/change/",
        f"/admin/core/user/{world.duty_officer_a.pk}/history/",
        "/admin/forces/force/",
        f"/admin/forces/force/{world.force_a.pk}/change/",
        "/admin/drills/drillfrequencyrule/add/",
    ]
    scanned = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:  # pages an operator may not use (add, revert …)
            continue
        scanned += 1
        found = scan(response.content.decode())
        assert found.inline_scripts == [] and found.handlers == [], (url, found.__dict__)
    assert scanned >= 5
