"""The whole flow on a real `popgate serve` process: first-start credentials printed once, a client
and grant made with the CLI, a token from Authlib's client, then cut off within one request by
`popgate grants revoke` and by token revocation."""

from __future__ import annotations

import json
import re
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import ECKey

from tests.support.server import POPGATE, Server, free_port, popgate_env, wait_http


@contextmanager
def serving(data_dir: Path) -> Iterator[Server]:
    """`popgate serve` in a subprocess, with its real audit log in DATA_DIR."""
    port = free_port()
    log_path = data_dir / f"server-{port}.log"
    env = popgate_env(data_dir, {"POPGATE_SANDBOX_RESIDENTS": "50"})
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [POPGATE, "serve", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=data_dir,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", process, 60, log_path)
        yield Server(url, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def audit_events(data_dir: Path) -> list[dict[str, Any]]:
    """The events of the real audit log, read back through `popgate audit export`."""
    archive = data_dir / "audit-export.zip"
    result = subprocess.run(
        [POPGATE, "audit", "export", "--from", "2000-01-01", "--to", "2100-01-01", str(archive)],
        env=popgate_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=data_dir,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(archive) as zf:
        lines = zf.read("events.jsonl").decode().splitlines()
    return [json.loads(line) for line in lines]


def popgate(data_dir: Path, *args: str) -> Any:
    result = subprocess.run(
        [POPGATE, *args],
        env=popgate_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=data_dir,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check(url: str, token: str) -> requests.Response:
    return requests.post(
        url + "/v1/access/check",
        json={"purpose": "UNEMPLOYMENT_BENEFIT", "fields": ["full_name", "religion"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_cli_client_gets_a_token_and_is_cut_off_after_revocations(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        created = popgate(
            tmp_path, "clients", "create", "Sở LĐTBXH", "--scopes", "residents.lookup"
        )
        grant = popgate(
            tmp_path,
            "grants", "create",
            "--client", created["client_id"],
            "--fields", "full_name,date_of_birth",
            "--purposes", "UNEMPLOYMENT_BENEFIT",
            "--legal-basis", "Luật Việc làm 2013, Điều 46",
            "--valid-until", "2099-12-31",
        )  # fmt: skip
        listed = popgate(tmp_path, "clients", "list")
        assert created["client_id"] in {c["client_id"] for c in listed}
        assert all("client_secret" not in c for c in listed)

        with OAuth2Session(created["client_id"], created["client_secret"]) as session:
            token = session.fetch_token(
                server.url + "/oauth/token", grant_type="client_credentials"
            )["access_token"]
        allowed = check(server.url, token)
        assert allowed.status_code == 200, allowed.text
        assert allowed.json()["allowed"] == ["full_name"]
        assert allowed.json()["withheld"] == ["religion"]

        popgate(tmp_path, "grants", "revoke", grant["grant_id"], "--reason", "test")
        denied = check(server.url, token)
        assert denied.status_code == 403 and denied.json()["reason"] == "grant_revoked"

        revoked = requests.post(
            server.url + "/oauth/revoke",
            data={"token": token},
            auth=(created["client_id"], created["client_secret"]),
            timeout=10,
        )
        assert revoked.status_code == 200
        refused = check(server.url, token)
        assert refused.status_code == 401
        assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    events = audit_events(tmp_path)
    kinds = [(e["type"], e["client_id"]) for e in events]
    admin_changes = [(e["detail"], e["actor"]) for e in events if e["type"] == "admin.change"]
    details = [d for d, _ in admin_changes]
    assert any(d.startswith("client registered") for d in details)
    assert "grant issued" in details and "grant revoked: test" in details
    assert all(actor.startswith("cli:") for _, actor in admin_changes)
    assert ("token.issued", created["client_id"]) in kinds
    assert ("token.revoked", created["client_id"]) in kinds
    served = [k for k in kinds if k[0] != "admin.change"]  # the CLI writes its own segment
    assert served[-1] == ("auth.refused", created["client_id"])


def _first_start_credentials(log: str) -> tuple[list[str], tuple[str, str]]:
    assert "shown ONCE" in log
    secrets = re.findall(r"secret (\S{40,})", log)
    assert len(secrets) == 2
    match = re.search(r"curl -s -u '([^:]+):([^']+)'", log)
    assert match is not None
    return secrets, (match[1], match[2])


def test_first_start_prints_working_credentials_once_and_never_logs_them(tmp_path: Path) -> None:
    with serving(tmp_path) as server:
        secrets, (demo_id, demo_secret) = _first_start_credentials(server.log())
        token = requests.post(
            server.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(demo_id, demo_secret),
            timeout=10,
        ).json()["access_token"]
        demo = check(server.url, token)
        assert demo.status_code == 200 and demo.json()["allowed"] == ["full_name"]
        assert "Luật Việc làm" in demo.json()["legal_basis"]
        admin_id = re.search(r"admin client \(scope admin\):\s+(\S+)", server.log())
        assert admin_id is not None
        admin_secret = next(s for s in secrets if s != demo_secret)
        admin_token = requests.post(
            server.url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(admin_id[1], admin_secret),
            timeout=10,
        ).json()["access_token"]
        clients = requests.get(
            server.url + "/admin/v1/clients",
            headers={"Authorization": f"Bearer {admin_token}"},
            timeout=10,
        )
        assert clients.status_code == 200 and len(clients.json()["clients"]) == 2
    log = server.log()
    json_lines = [line for line in log.splitlines() if line.startswith("{")]
    assert json_lines and not any(s in line for s in secrets for line in json_lines)
    with serving(tmp_path) as again:
        pass
    assert "shown ONCE" not in again.log() and not any(s in again.log() for s in secrets)


def test_a_plain_http_public_url_off_loopback_is_refused_at_start(tmp_path: Path) -> None:
    result = subprocess.run(
        [POPGATE, "serve", "--port", "0"],
        env=popgate_env(tmp_path, {"POPGATE_PUBLIC_URL": "http://gateway.so-lao-dong.vn"}),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "https://" in result.stderr and "Traceback" not in result.stderr


def test_cli_private_key_jwt_client_authenticates_with_its_key(tmp_path: Path) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "laborsys-2026"})
    jwks = tmp_path / "laborsys.jwks.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    with serving(tmp_path) as server:
        created = popgate(
            tmp_path, "clients", "create", "Trung tâm Dịch vụ việc làm",
            "--auth", "private_key_jwt", "--jwks", str(jwks), "--scopes", "residents.verify",
        )  # fmt: skip
        assert "client_secret" not in created
        now = int(time.time())
        assertion = jwt.encode(
            {"alg": "ES256", "kid": key.kid},
            {
                "iss": created["client_id"],
                "sub": created["client_id"],
                "aud": server.url + "/oauth/token",
                "jti": "first",
                "iat": now,
                "exp": now + 60,
            },
            key,
        )
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }
        issued = requests.post(server.url + "/oauth/token", data=form, timeout=10)
        assert issued.status_code == 200 and issued.json()["scope"] == "residents.verify"
        replayed = requests.post(server.url + "/oauth/token", data=form, timeout=10)
        assert replayed.status_code == 401 and replayed.json()["error"] == "invalid_client"
    bad = subprocess.run(
        [POPGATE, "clients", "create", "x", "--auth", "private_key_jwt"],
        env=popgate_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert bad.returncode != 0 and "JWK Set" in bad.stderr
