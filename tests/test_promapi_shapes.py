"""Answers of the wrong shape from a server at --prometheus: exit 2 "does not look like a Prometheus API".

A stand-in HTTP server (standard library, in this process) plays the server that answers with JSON of
another shape: a real Prometheus cannot be made to answer wrongly, which is the point of the case.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from trunkline.cli import main
from trunkline.errors import BadInputError
from trunkline.promapi import PrometheusClient

VECTOR = {"status": "success", "data": {"resultType": "vector", "result": []}}


@pytest.fixture
def server() -> Iterator[tuple[str, list[bytes]]]:
    """(URL, answers): every GET answers 200 with ``answers[0]`` as JSON."""
    answers: list[bytes] = [b"{}"]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 -- http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answers[0])

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", answers
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(("answer", "what"), [
    ({"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "2"]}]}},
     "a malformed vector for 'up'"),
    ({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": "x"}]}},
     "a malformed vector for 'up'"),
    ({"status": "success", "data": {"resultType": "matrix", "result": []}}, "no instant vector for 'up'"),
    ({"status": "success", "data": [1, 2]}, "no instant vector for 'up'"),
    ([1, 2, 3], "not the API's JSON"),
])
def test_an_answer_of_another_shape_is_bad_input(server: tuple[str, list[bytes]], answer: object,
                                                 what: str) -> None:
    url, answers = server
    answers[0] = json.dumps(answer).encode()
    with pytest.raises(BadInputError) as info:
        PrometheusClient(url).query("up", 0)
    assert str(info.value).startswith(f"Prometheus at {url}: the URL does not look like a Prometheus API "
                                      f"(it answered {what}")
    assert str(info.value).endswith("): give the base URL of Prometheus or Thanos Querier")


def test_a_well_formed_empty_vector_is_read(server: tuple[str, list[bytes]]) -> None:
    url, answers = server
    answers[0] = json.dumps(VECTOR).encode()
    assert PrometheusClient(url).query("up", 0) == []


def test_verify_exits_2_with_one_line(server: tuple[str, list[bytes]], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    url, answers = server
    answers[0] = json.dumps({"status": "success", "data": {"resultType": "vector",
                                                           "result": [{"metric": "x"}]}}).encode()
    nad = {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
           "metadata": {"name": "v40", "namespace": "vms"},
           "spec": {"config": json.dumps({"cniVersion": "0.3.1", "name": "v40", "type": "cnv-bridge",
                                          "bridge": "br1", "vlan": 40})}}
    (tmp_path / "nads.yaml").write_text(json.dumps(nad))
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", str(tmp_path), "--prometheus", url])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"trunkline: error: Prometheus at {url}: the URL does not look like a Prometheus "
                          "API (it answered a malformed vector for ")
    assert err.count("\n") == 1 and "Traceback" not in err
