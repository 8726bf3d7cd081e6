"""A read-only client of the Prometheus HTTP API (``GET /api/v1/query``), for Prometheus and Thanos Querier.

Plain ``urllib`` from the standard library: trunkline asks a handful of instant queries, and nothing in its
dependency tree brings an HTTP client (no requests, no httpx); prometheus-client only exposes metrics.

Facts used (Prometheus docs, "HTTP API"): an instant query answers ``{"status": "success", "data":
{"resultType": "vector", "result": [{"metric": {...}, "value": [<unix time>, "<value as text>"]}]}}``;
errors answer 400 (bad parameters), 422 (cannot be executed) or 503 (timed out, aborted) with ``"status":
"error", "errorType", "error"``. On OpenShift, Thanos Querier's route (``thanos-querier`` in
``openshift-monitoring``) serves the same API behind a proxy that answers 401/403 to a missing or refused
bearer token; reading every namespace's series needs the ``cluster-monitoring-view`` cluster role.
"""

from __future__ import annotations

import json
import math
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from trunkline.errors import BadInputError, EnvironmentProblem
from trunkline.tls import PLAIN_HTTP_REASONS

TIMEOUT_S = 30.0
API_SUFFIX = re.compile(r"/api/v1(/query)?/?$")
ROLE_HINT = ("use a token of an account bound to the cluster-monitoring-view cluster role "
             "(`oc create token` for a service account, or `oc whoami -t`)")


@dataclass(frozen=True)
class Sample:
    """One element of an instant vector: its labels (``__name__`` included when kept) and value."""

    labels: Mapping[str, str]
    value: float


def base_url(url: str) -> str:
    """*url* without a trailing ``/``, ``/api/v1`` or ``/api/v1/query`` (so a copied API URL works too).

    Raises:
        BadInputError: not an ``http://`` or ``https://`` URL with a host, an unclosed IPv6 bracket, a
            port out of range, or a space or control character (``http.client`` refuses them).
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        hostname = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port that is not 0-65535
    except ValueError as exc:  # "Invalid IPv6 URL" (an unclosed [), a port out of range
        raise BadInputError(f"--prometheus {url!r} is not a valid URL ({exc}); give e.g. "
                            "http://[::1]:9090 or https://thanos-querier-openshift-monitoring.apps.CLUSTER"
                            ) from None
    if any(ch.isspace() or not ch.isprintable() for ch in url.strip()):
        raise BadInputError(f"--prometheus {url!r} holds a space or control character; give the URL "
                            "without it (percent-encode a space in a path as %20)")
    if parts.scheme not in ("http", "https") or not hostname:
        raise BadInputError(f"--prometheus {url!r} is not an http:// or https:// URL with a host; give "
                            "e.g. https://thanos-querier-openshift-monitoring.apps.CLUSTER")
    path = API_SUFFIX.sub("", parts.path).rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def read_token(path: Path) -> str:
    """The bearer token in *path* (surrounding whitespace removed).

    Raises:
        BadInputError: the file cannot be read, or is empty.
    """
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BadInputError(f"--token-file {path}: cannot read it ({reason}); give a file holding the "
                            "bearer token") from None
    if not token:
        raise BadInputError(f"--token-file {path} is empty; write the bearer token into it "
                            "(`oc whoami -t > FILE`)")
    return token


class PrometheusClient:
    """Instant queries against one Prometheus-compatible API.

    Args:
        url: the server's base URL (:func:`base_url` normalises it).
        token: bearer token sent as ``Authorization: Bearer``; ``None`` sends none.
        context: TLS context for ``https`` (:func:`trunkline.tls.ssl_context`).
        timeout: seconds per request.

    Attributes:
        queries: how many queries were sent (``verify --prometheus`` asks a fixed number).
    """

    def __init__(self, url: str, token: str | None = None, context: ssl.SSLContext | None = None,
                 timeout: float = TIMEOUT_S) -> None:
        self.url = base_url(url)
        self.token = token
        self.context = context
        self.timeout = timeout
        self.queries = 0

    def query(self, promql: str, at: float) -> list[Sample]:
        """Evaluate *promql* at unix time *at*; the result must be an instant vector.

        Returns:
            the samples, in the server's order; ``NaN`` values are dropped.

        Raises:
            BadInputError: the token is missing or refused (401/403: exit 2), or the URL is not a
                Prometheus API (404, or an answer not of the API's shape).
            EnvironmentProblem: unreachable, certificate not trusted, TLS failure, a server error, or
                a query the server refuses (exit 3).
        """
        self.queries += 1
        params = urllib.parse.urlencode({"query": promql, "time": f"{at:.3f}"})
        request = urllib.request.Request(f"{self.url}/api/v1/query?{params}",
                                         headers={"Accept": "application/json"})
        if self.token is not None:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc.code, exc.read()) from None
        except urllib.error.URLError as exc:
            raise self._connect_error(exc.reason) from None
        except OSError as exc:  # a timeout while reading, a reset connection
            raise self._connect_error(exc) from None
        return self._samples(body, promql)

    def _http_error(self, code: int, body: bytes) -> Exception:
        where = f"Prometheus at {self.url}"
        if code in (401, 403):
            answer = "401 Unauthorized" if code == 401 else "403 Forbidden"
            if self.token is None:
                return BadInputError(f"{where} answered {answer}: it needs a bearer token; pass --token-file "
                                     f"FILE and {ROLE_HINT}")
            return BadInputError(f"{where} refused the token ({answer}); {ROLE_HINT}")
        if code == 404:
            return BadInputError(f"{where} has no /api/v1/query (404): give the base URL of Prometheus or "
                                 "Thanos Querier")
        message = _error_text(body)
        if code in (400, 422):
            return EnvironmentProblem(f"{where} refused a query ({code}: {message}); it needs the PromQL of "
                                      "Prometheus 2.26 or later (last_over_time)")
        return EnvironmentProblem(f"{where} answered {code} ({message}); try again, or check the server")

    def _connect_error(self, reason: object) -> EnvironmentProblem:
        where = f"Prometheus at {self.url}"
        if isinstance(reason, ssl.SSLCertVerificationError):
            return EnvironmentProblem(f"{where}: its certificate is not trusted ({reason.verify_message}); "
                                      "pass --ca-file with the CA that signed it")
        if isinstance(reason, ssl.SSLError) and reason.reason in PLAIN_HTTP_REASONS:
            return EnvironmentProblem(f"{where}: TLS failed ({reason.reason}): the port answers in plain "
                                      "HTTP; give an http:// URL if that is meant")
        if isinstance(reason, ssl.SSLError):
            return EnvironmentProblem(f"{where}: TLS failed ({reason.reason or reason}); check the URL")
        if isinstance(reason, socket.gaierror):
            return EnvironmentProblem(f"{where}: unknown host name ({reason.strerror}); check the URL")
        if isinstance(reason, TimeoutError | socket.timeout):
            return EnvironmentProblem(f"{where} did not answer within {self.timeout:g} s; check the URL "
                                      "and the network")
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return EnvironmentProblem(f"{where} is unreachable ({text}); check the URL and the network")

    def _samples(self, body: bytes, promql: str) -> list[Sample]:
        """The samples of an instant-query answer *body*.

        Raises:
            BadInputError: the answer is not the API's JSON shape (not JSON, no ``data``, not a vector, a
                malformed element): the server answers but is not a Prometheus API, like a 404 (exit 2).
        """
        try:
            answer = json.loads(body)
            data = answer["data"] if answer.get("status") == "success" else None
        except (ValueError, AttributeError, KeyError, TypeError):
            raise self._not_prometheus("not the API's JSON") from None
        if not isinstance(data, dict) or data.get("resultType") != "vector":
            raise self._not_prometheus(f"no instant vector for {promql!r}: {_error_text(body)}")
        out: list[Sample] = []
        try:
            for item in data.get("result") or ():
                value = float(item["value"][1])
                if not math.isnan(value):
                    out.append(Sample({str(k): str(v) for k, v in item["metric"].items()}, value))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            raise self._not_prometheus(f"a malformed vector for {promql!r}") from None
        return out

    def _not_prometheus(self, what: str) -> BadInputError:
        return BadInputError(f"Prometheus at {self.url}: the URL does not look like a Prometheus API (it "
                             f"answered {what}): give the base URL of Prometheus or Thanos Querier")


def _error_text(body: bytes) -> str:
    """The ``error`` of a Prometheus error answer, else the first 200 characters of *body*, one line."""
    try:
        answer = json.loads(body)
        text = str(answer.get("error") or answer)
    except (ValueError, AttributeError):
        text = body.decode("utf-8", "replace")
    return " ".join(text.split())[:200] or "empty answer"
