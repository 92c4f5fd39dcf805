"""Security baseline: headers, no open redirect, host validation, production deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_pages_carry_csp_without_inline_script_and_framing_protection(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_embeds_inline_script(client):
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/api/docs/"):
        body = client.get(path).content.decode()
        assert "<script>" not in body.replace(" ", ""), path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http://testserver.evil.example/",
    ],
)
def test_sign_in_never_redirects_off_site(client, target):
    UserFactory(email="a@example.cn")
    response = client.post(
        f"/accounts/login/?next={target}",
        {"login": "a@example.cn", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_unknown_hosts_are_refused(client):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_pages_are_chinese_first_whatever_the_browser_asks(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hans"' in body and "一窗通办" in body


@pytest.mark.django_db
def test_the_api_follows_the_language_the_app_asks_for(client):
    body = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "credentials" in body["detail"]


def test_error_pages_are_translated(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() or "找不到" in response.content.decode()


def test_language_switch_changes_the_page_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-Hans"' in client.get("/").content.decode()


def _production_env(tmp_path: Path) -> dict[str, str]:
    """Every variable .env.example lists, with the empty secrets filled in freshly."""
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = tmp_path / "oidc.pem"
    pem.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "CERTIFICATE_MASTER_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "OIDC_PRIVATE_KEY_FILE": str(pem),
    }
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            pairs[key] = value or generated.get(key, "")
    assert set(generated) <= set(pairs), ".env.example must list every secret"
    return pairs


def _deploy_check(
    tmp_path: Path, settings_module: str, **extra_env: str
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(_production_env(tmp_path), **extra_env)
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings",
            settings_module,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_no_warning(tmp_path):
    result = _deploy_check(tmp_path, "portal.settings.prod")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_mfa_relaxation(tmp_path):
    (tmp_path / "relaxed_settings.py").write_text(
        "from portal.settings.prod import *\nSTAFF_MFA_REQUIRED = False\n"
    )
    result = _deploy_check(tmp_path, "relaxed_settings", PYTHONPATH=str(tmp_path))
    assert result.returncode != 0
    assert "portal.E001" in result.stdout + result.stderr


def test_production_refuses_the_embedded_default_keys(tmp_path):
    result = _deploy_check(tmp_path, "portal.settings.prod", BLIND_INDEX_KEY="")
    assert result.returncode != 0
    assert "portal.E002" in result.stdout + result.stderr


def test_production_refuses_signing_keys_under_the_personal_data_key(tmp_path):
    result = _deploy_check(tmp_path, "portal.settings.prod", CERTIFICATE_MASTER_KEYS="")
    assert result.returncode != 0
    assert "portal.E006" in result.stdout + result.stderr
