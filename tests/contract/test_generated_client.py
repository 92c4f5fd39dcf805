"""A client generated from the OpenAPI document performs the integration script against the
live test server. .ci/client-check generates the client in a throwaway environment and
runs this test with ONE_WINDOW_CLIENT_PYTHON (that environment's python) and
ONE_WINDOW_CLIENT_PATH (the folder holding the generated package); elsewhere it is skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.idp.oidc.adapter import get_adapter
from allauth.idp.oidc.models import Client

from certificates.models import IssuingSystem
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory
from tests.services.factories import ServiceFactory

PYTHON = os.environ.get("ONE_WINDOW_CLIENT_PYTHON", "")
SCRIPT = Path(__file__).with_name("client_script.py")


@pytest.mark.skipif(not PYTHON, reason="run by .ci/client-check with a generated client")
@pytest.mark.django_db(transaction=True)
def test_a_generated_client_lists_issues_verifies_and_revokes(live_server):
    issuer = DepartmentFactory(name="广州市公安局")
    ctype = make_type(issuer)
    ServiceFactory()
    registered = Client(name="证照系统", type=Client.Type.CONFIDENTIAL)
    registered.set_scopes(["certificates"])
    registered.set_grant_types([Client.GrantType.CLIENT_CREDENTIALS])
    registered.set_response_types([])
    registered.set_redirect_uris([])
    secret = get_adapter().generate_client_secret()
    registered.set_secret(secret)
    registered.save()
    IssuingSystem.objects.create(client=registered, department=issuer)
    holder = PersonFactory().reveal_id_number()

    arguments = [live_server.url, str(registered.id), secret, ctype.code, issuer.code, holder]
    run = subprocess.run(
        [PYTHON, str(SCRIPT), *arguments],
        env={**os.environ, "PYTHONPATH": os.environ["ONE_WINDOW_CLIENT_PATH"]},
        capture_output=True,
        text=True,
        timeout=120,
    )
    sys.stdout.write(run.stdout)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "generated client: all steps passed" in run.stdout
