"""Each server as shipped (`python -m config.serve_uvicorn` for production, `config.serve`
for `make run`, `config.serve_granian`) keeps its access log, without the keys that private
paths carry: whoever reads the logs must not be able to use the links. Each writes
`"GET <path>" <status>` lines."""

import secrets

import pytest

from tests.reliability import clients, servers

pytestmark = [
    pytest.mark.stack,
    pytest.mark.postgres,
    pytest.mark.timeout(120),
    pytest.mark.parametrize("server_class", sorted(servers.SERVERS), indirect=True),
]


def test_access_log_redacts_private_links(fault_databases, start_server):
    server = start_server(
        servers.base_env(database_url=fault_databases.fresh(), redis_url=None), "a"
    )
    keys = [secrets.token_urlsafe(24) for _ in range(3)]
    paths = [
        f"/invitations/{keys[0]}/",
        f"/calendar/{keys[1]}.ics",
        f"/accounts/password/reset/key/{keys[2]}/",
        "/clusters/",
    ]
    for path in paths:
        clients.http(server.base, path, session="")

    servers.wait_for(
        lambda: '"GET /clusters/"' in server.log(), timeout=10, what="the access log's lines"
    )
    log = server.log()
    for key in keys:
        assert key not in log
    assert '"GET /invitations/[private]/"' in log
    assert '"GET /calendar/[private]"' in log
    assert '"GET /clusters/" 200' in log
