"""A personal ID never reaches the log in clear, whatever the request does with it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

from connectors.sandbox.seed import residents
from tests.gateway.residents.test_openapi_fuzz import demo_token
from tests.support.server import running


def _post(url: str, token: str, body: object) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_ids_in_requests_good_and_bad_never_appear_in_the_log(tmp_path: Path) -> None:
    person = next(residents(1, 1))
    pid = person["personal_id"]
    with running(["serve"], tmp_path, env={"POPGATE_SANDBOX_RESIDENTS": "20"}) as server:
        token = demo_token(server.url, server.log())
        base = {"purpose": "UNEMPLOYMENT_BENEFIT", "reason": "Kiểm tra nhật ký"}
        lookup = server.url + "/v1/residents/lookup"
        assert _post(lookup, token, {**base, "personal_id": pid, "fields": ["full_name"]}) == 200
        assert _post(lookup, token, {**base, "personal_id": pid, "fields": ["salary"]}) == 400
        assert _post(lookup, token, {**base, "personal_id": pid + "0", "fields": ["sex"]}) == 400
        assert _post(lookup, token, {**base, "personal_id": pid, "fields": [pid]}) == 400
        verify = server.url + "/v1/residents/verify"
        answer = {**base, "personal_id": pid, "full_name": pid, "date_of_birth": "1990-01-01"}
        assert _post(verify, token, answer) == 200
        urllib.request.urlopen(server.url + "/healthz?id=" + pid, timeout=5).close()  # noqa: S310
    log = "\n".join(
        line for line in server.log().splitlines() if line.startswith("{")
    )  # the JSON log lines (the first-start banner on stdout prints a sample ID on purpose)
    assert log, "the server wrote no log lines"
    assert pid not in log
    assert not re.search(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])", log)
