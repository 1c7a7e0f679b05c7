"""First start: a bootstrap admin client, a demo client and its demo grant; credentials shown once.

Runs before serving. The credentials are returned for the startup banner on stdout and never logged;
only their keyed hashes are stored, so they cannot be shown again. Several processes starting at
once create them once: the `instance_state` row is the lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from gateway.oauth.client_auth import hash_secret, new_client_id, new_client_secret
from schemas.grants import ClientSpec, GrantSpec, Scope
from schemas.settings import Settings
from store.clients import add_client
from store.engine import create_database
from store.grants import create_grant
from store.instance import InstanceState
from store.secretbox import SecretBox, load_master_key

STATE_KEY = "oauth.bootstrapped"
DEMO_PURPOSE = "UNEMPLOYMENT_BENEFIT"
# Unemployment benefit files are checked against the resident's identity (Luật Việc làm, Điều 46).
DEMO_LEGAL_BASIS = "Luật Việc làm 2013, Điều 46 (hồ sơ hưởng trợ cấp thất nghiệp)"
DEMO_FIELDS = ("full_name", "personal_id", "date_of_birth", "sex", "permanent_address")


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class FirstStart:
    admin: Credentials
    demo: Credentials
    grant_id: str

    def banner(self, base_url: str, sample_id: str | None = None) -> str:
        """`sample_id`: a synthetic resident of the in-process sandbox for the lookup example."""
        token_url = base_url + "/oauth/token"
        demo, admin = self.demo, self.admin
        body = (
            f'{{"personal_id": "{sample_id or "<12 digits>"}", '
            '"fields": ["full_name", "permanent_address", "religion"], '
            f'"purpose": "{DEMO_PURPOSE}", "reason": "Xét hồ sơ trợ cấp thất nghiệp"}}'
        )
        return "\n".join(
            [
                "",
                "First start: these credentials are shown ONCE. Store them now.",
                f"  admin client (scope admin):  {admin.client_id}  secret {admin.client_secret}",
                f"  demo client (residents.*):   {demo.client_id}  secret {demo.client_secret}",
                f"  demo grant {self.grant_id}: {', '.join(DEMO_FIELDS)}",
                f"    for purpose {DEMO_PURPOSE}; legal basis: {DEMO_LEGAL_BASIS}",
                "  get a token:",
                f"    TOKEN=$(curl -s -u '{demo.client_id}:{demo.client_secret}' "
                f"-d grant_type=client_credentials {token_url} | python3 -c "
                "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
                "  then read a resident (religion is withheld: the demo grant does not name it):",
                f'    curl -s {base_url}/v1/residents/lookup -H "Authorization: Bearer $TOKEN" '
                f"-H 'Content-Type: application/json' -d '{body}'",
                f"  API documentation: {base_url}/docs",
                "",
            ]
        )


async def first_start(settings: Settings) -> FirstStart | None:
    """Create the bootstrap clients unless done before; the credentials when created now."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    box = SecretBox(load_master_key(configured, settings.data_dir))
    db = create_database(settings.resolved_database_url())
    admin = Credentials(new_client_id(), new_client_secret())
    demo = Credentials(new_client_id(), new_client_secret())
    try:
        async with db.sessions.begin() as session:
            if await session.get(InstanceState, STATE_KEY) is not None:
                return None
            session.add(InstanceState(key=STATE_KEY, value="yes"))
            await session.flush()
            await add_client(
                session,
                ClientSpec(
                    name="bootstrap administrator",
                    scopes=(Scope.ADMIN.value, Scope.TRANSPARENCY_REPORT.value),
                ),
                client_id=admin.client_id,
                secret_hash=hash_secret(box, admin.client_secret),
                by="system:first-start",
            )
            await add_client(
                session,
                ClientSpec(name="demo department system"),
                client_id=demo.client_id,
                secret_hash=hash_secret(box, demo.client_secret),
                by="system:first-start",
            )
            grant = await create_grant(
                session,
                GrantSpec(
                    client_id=demo.client_id,
                    fields=DEMO_FIELDS,
                    purposes=(DEMO_PURPOSE,),
                    legal_basis=DEMO_LEGAL_BASIS,
                ),
                by="system:first-start",
            )
    except IntegrityError:
        return None  # another process got there first
    finally:
        await db.dispose()
    return FirstStart(admin, demo, grant.grant_id)
