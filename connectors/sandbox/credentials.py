"""The sandbox's LGSP-style credentials: generated once into a private file when none are set."""

from __future__ import annotations

import json
import os
from pathlib import Path

from connectors.signing import Credentials

FILE_NAME = "registry-credentials.json"


def load_or_create(data_dir: Path) -> Credentials:
    """DATA_DIR/registry-credentials.json (mode 0600), created on first use."""
    path = data_dir / FILE_NAME
    if path.exists():
        data = json.loads(path.read_text())
        return Credentials(data["app_name"], data["access_key"], data["secret_key"])
    credentials = Credentials.generate()
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(
            {
                "app_name": credentials.app_name,
                "access_key": credentials.access_key,
                "secret_key": credentials.secret_key,
            },
            handle,
        )
    return credentials
