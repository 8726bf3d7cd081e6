"""TLS for the HTTPS clients (vCenter, Prometheus): one way to trust a server, one reading of its failures.

Certificate checks are on by default: the system's trust store, plus a CA file when given. ``--insecure``
turns every check off and says so in the log.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

from trunkline.errors import BadInputError

_log = logging.getLogger(__name__)

PLAIN_HTTP_REASONS = frozenset({
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST",
})
"""OpenSSL's reasons when the server's first bytes are not a TLS record (an HTTP answer instead):
``WRONG_VERSION_NUMBER`` (OpenSSL 1.1/3.0), ``RECORD_LAYER_FAILURE``/``PACKET_LENGTH_TOO_LONG`` (3.x)."""


def ssl_context(insecure: bool, ca_file: Path | None, server: str = "server") -> ssl.SSLContext:
    """The TLS context: the system's trust store (plus *ca_file*), or no checks at all when *insecure*.

    Args:
        insecure: skip certificate and host name checks (logged as a warning naming *server*).
        ca_file: a PEM file with the CA certificate(s) to trust besides the system's.
        server: what is connected to, for the warning (``vCenter``, ``Prometheus``).

    Raises:
        BadInputError: *ca_file* is missing or holds no certificate in PEM form.
    """
    if insecure:
        _log.warning("certificate checks are off (--insecure): the %s's identity is not verified", server)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise BadInputError(
            f"CA file {ca_file}: cannot load it ({getattr(exc, 'strerror', None) or exc}); "
            "give a PEM file with the CA certificate to --ca-file"
        ) from None
