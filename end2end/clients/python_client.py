"""A merchant's developer's first steps, with the Python client that
openapi-python-client generated from the served OpenAPI document: ping,
create a job, read it, change it (If-Match), find it. Any step that the
generated client cannot express, or that answers otherwise, fails.

Usage: python_client.py GENERATED_DIR BASE_URL ACCOUNT_ID:KEY LOCATION_ID
"""

import base64
import datetime
import sys

generated, base, credentials, location_id = sys.argv[1:5]
sys.path.insert(0, generated)

from livreur_client import AuthenticatedClient  # noqa: E402
from livreur_client.api.account import ping  # noqa: E402
from livreur_client.api.jobs import create_job, get_job, patch_job, search_jobs  # noqa: E402
from livreur_client.models import Address, Customer, JobIn, JobPatch, JobType  # noqa: E402

account_id = credentials.split(":", 1)[0]
token = base64.b64encode(credentials.encode()).decode()
client = AuthenticatedClient(base_url=f"{base}/api/v1", token=token, prefix="Basic")


def expect(condition, what):
    if not condition:
        sys.exit(f"python client: {what}")


me = ping.sync_detailed(client=client)
expect(me.status_code == 200, f"ping answered {me.status_code}")
expect(me.parsed.account_id == account_id, "ping names another account")

reference = f"PY-{datetime.datetime.now().strftime('%H%M%S%f')}"
made = create_job.sync_detailed(
    client=client,
    body=JobIn(
        type_=JobType.DELIVERY,
        date=datetime.date(2026, 12, 1),
        location_id=location_id,
        customer=Customer(first_name="Ana", phone="+1 514 555 0100"),
        address=Address(line1="100 Rue Saint-Paul", city="Montréal", country="CA"),
        reference_id=reference,
    ),
)
expect(made.status_code == 201, f"create answered {made.status_code}: {made.content!r}")
job = made.parsed
expect(job.id.startswith("job_"), f"job id {job.id}")

read = get_job.sync_detailed(job_id=job.id, client=client)
expect(read.status_code == 200, f"get answered {read.status_code}")
etag = read.headers["etag"]

changed = patch_job.sync_detailed(
    job_id=job.id,
    client=client,
    body=JobPatch(description="Leave at the back door"),
    if_match=etag,
)
expect(changed.status_code == 200, f"patch answered {changed.status_code}: {changed.content!r}")
expect(changed.parsed.description == "Leave at the back door", "the change did not stick")
stale = patch_job.sync_detailed(
    job_id=job.id, client=client, body=JobPatch(comment="late"), if_match=etag
)
expect(stale.status_code == 412, f"a stale If-Match answered {stale.status_code}")

found = search_jobs.sync_detailed(client=client, reference_id=reference)
expect(found.status_code == 200, f"search answered {found.status_code}")
expect([j.id for j in found.parsed.data] == [job.id], "search did not find the job")
print(f"python client: ping, create, get, patch (and a stale 412), search: ok ({job.id})")
