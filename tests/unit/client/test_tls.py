"""https for real: a self-signed certificate made here, a stdlib ``ssl`` loopback server, both faces.

Verification is on by default (an unknown certificate is refused, clearly and without retrying),
``ca_bundle`` trusts a private CA, ``verify=False`` turns checking off.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from urllib3.exceptions import InsecureRequestWarning

from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, PaddleFlowError

RUN = {"runID": "run-000001", "name": "r1", "status": "running"}


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paddleflow-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> tuple[Path, Path]:
    return _self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_server(cert, make_server):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    server = make_server(tls=context)
    server.route("GET", "/run/run-000001", 200, RUN)
    return server


def _client(server: Any, sleeps: Any, **options: Any) -> Client:
    return Client(f"https://127.0.0.1:{server.port}", "root", "paddleflow", sleep=sleeps, **options)


def test_https_with_a_ca_bundle(https_server, cert, sleeps):
    with _client(https_server, sleeps, ca_bundle=str(cert[0])) as client:
        ok, run = client.show_run("run-000001")
        assert ok, run
        assert run.status == "running"
        assert client.config.scheme == "https"
    assert [(r.method, r.path) for r in https_server.requests] == [
        ("POST", "/login"),
        ("GET", "/run/run-000001"),
    ]
    assert https_server.requests[1].headers["x-pf-authorization"] == https_server.token


def test_https_verifies_by_default_and_does_not_retry_a_bad_certificate(https_server, sleeps):
    with _client(https_server, sleeps) as client:
        ok, message = client.show_run("run-000001")
        assert ok is False and "TLS" in message and "certificate" in message.lower()
        with pytest.raises(PaddleFlowError) as info:
            client.api.show_run("run-000001")
        assert info.value.code == "TLSError"
    assert https_server.requests == [] and sleeps.waits == []


def test_https_without_verification(https_server, sleeps):
    with _client(https_server, sleeps, verify=False) as client, pytest.warns(InsecureRequestWarning):
        assert client.api.show_run("run-000001").run_id == "run-000001"


def test_https_scheme_option_with_host_and_port(https_server, cert, sleeps):
    client = Client(
        "127.0.0.1", "root", "paddleflow", https_server.port, scheme="https", ca_bundle=str(cert[0])
    )
    with client:
        assert client.api.show_run("run-000001").status == "running"


async def _nosleep(_seconds: float) -> None:
    return None


def test_async_https_with_a_ca_bundle_and_refusal_by_default(https_server, cert, sleeps):
    trusted = _client(https_server, sleeps, ca_bundle=str(cert[0])).config
    untrusted = _client(https_server, sleeps).config

    async def scenario():
        async with AsyncPaddleFlowAPI(trusted, sleep=_nosleep) as api:
            run = await api.show_run("run-000001")
        async with AsyncPaddleFlowAPI(untrusted, sleep=_nosleep) as api:
            with pytest.raises(PaddleFlowError) as info:
                await api.show_run("run-000001")
        return run, info.value

    run, error = asyncio.run(scenario())
    assert run.status == "running"
    assert error.code == "TLSError" and "certificate" in str(error).lower()
    assert [r.path for r in https_server.requests] == ["/login", "/run/run-000001"]
