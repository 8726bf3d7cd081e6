"""IANA "Assigned Internet Protocol Numbers": all 256 values of the IPv4 protocol / IPv6 next-header field.

Source: the registry's CSV (https://www.iana.org/assignments/protocol-numbers/, columns Decimal,
Keyword, Protocol), shipped verbatim in ``trunkline/data/iana-protocol-numbers.csv`` so that naming
needs no network and no build step. That copy predates three assignments, added here from their RFCs:
143 ``Ethernet`` (RFC 8986, SRv6 network programming), 144 ``AGGFRAG`` (RFC 9347, IP-TFS) and
145 ``NSH`` (RFC 9491, Network Service Header over IP).

How the CSV becomes labels (``docs/design.md``: "a number without a keyword is ``proto-<number>``"):

* the Keyword column is the label (``6`` -> ``TCP``, ``58`` -> ``IPv6-ICMP``); keywords the registry marks
  ``(deprecated)`` keep their keyword without the mark and set :attr:`Protocol.deprecated`;
* 84 has two keywords (``TTP`` and ``IPTM``): label ``TTP/IPTM``, both in :attr:`Protocol.keywords`;
* numbers without a keyword (61, 63, 68, 99, 114, 253, 254) and the registry's status words
  ``Unassigned`` and ``Reserved`` (146-252, 255; the live registry leaves their Keyword empty, this copy
  repeats the status there) are labelled ``proto-<number>``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

DATA_FILE = "iana-protocol-numbers.csv"
"""The registry copy inside the ``trunkline.data`` package directory."""

_STATUS_WORDS = frozenset({"Unassigned", "Reserved"})
_DEPRECATED = " (deprecated)"

# Assignments newer than the shipped copy: number -> (keyword, protocol description, source).
_LATER_ASSIGNMENTS: dict[int, tuple[str, str, str]] = {
    143: ("Ethernet", "Ethernet", "RFC 8986"),
    144: ("AGGFRAG", "AGGFRAG encapsulation payload for ESP", "RFC 9347"),
    145: ("NSH", "Network Service Header", "RFC 9491"),
}


@dataclass(frozen=True, slots=True)
class Protocol:
    """One IP protocol number and how trunkline names it.

    Attributes:
        number: 0-255, the IPv4 ``protocol`` / IPv6 ``next header`` value.
        keyword: the label shown in tables, JSON and metrics: the IANA keyword, ``TTP/IPTM`` for 84,
            or ``proto-<number>`` where the registry has no keyword.
        keywords: every IANA keyword for the number (empty when it has none).
        description: the registry's Protocol column (``User Datagram``), or its status
            (``Unassigned``, ``Reserved``); may be empty.
        deprecated: the registry marks the keyword deprecated.
        source: where the entry comes from (``IANA registry`` or the RFC of a later assignment).
    """

    number: int
    keyword: str
    keywords: tuple[str, ...]
    description: str
    deprecated: bool = False
    source: str = "IANA registry"


def _read_rows() -> list[tuple[int, str, str]]:
    text = resources.files("trunkline").joinpath("data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    rows: list[tuple[int, str, str]] = []
    for record in csv.DictReader(io.StringIO(text)):
        rows.append((int(record["Decimal"]), record["Keyword"].strip(), record["Protocol"].strip()))
    return rows


@cache
def table() -> tuple[Protocol, ...]:
    """All 256 protocol numbers, index = number.

    Raises:
        RuntimeError: the shipped CSV is missing a number (a packaging fault, not a user error).
    """
    keywords: dict[int, list[str]] = {n: [] for n in range(256)}
    descriptions: dict[int, list[str]] = {n: [] for n in range(256)}
    deprecated: dict[int, bool] = {n: False for n in range(256)}
    for number, keyword, description in _read_rows():
        if keyword.endswith(_DEPRECATED):
            keyword = keyword[: -len(_DEPRECATED)]
            deprecated[number] = True
        if keyword in _STATUS_WORDS:
            description = description or keyword
            keyword = ""
        if keyword:
            keywords[number].append(keyword)
        if description and description not in descriptions[number]:
            descriptions[number].append(description)
    missing = [n for n in range(256) if not keywords[n] and not descriptions[n]]
    if missing:
        raise RuntimeError(f"{DATA_FILE} lacks protocol numbers {missing}: reinstall trunkline")
    out: list[Protocol] = []
    for number in range(256):
        if number in _LATER_ASSIGNMENTS:
            kw, description, source = _LATER_ASSIGNMENTS[number]
            out.append(Protocol(number, kw, (kw,), description, False, source))
            continue
        names = tuple(keywords[number])
        label = "/".join(names) if names else f"proto-{number}"
        out.append(Protocol(number, label, names, "; ".join(descriptions[number]), deprecated[number]))
    return tuple(out)


def protocol(number: int) -> Protocol:
    """The :class:`Protocol` for IP protocol *number* (0-255).

    Raises:
        ValueError: *number* is outside 0-255.
    """
    if not 0 <= number <= 255:
        raise ValueError(f"IP protocol number {number} is outside 0-255")
    return table()[number]


def keyword(number: int) -> str:
    """The label of IP protocol *number*: ``17`` -> ``UDP``, ``61`` -> ``proto-61`` (see module doc).

    Raises:
        ValueError: *number* is outside 0-255.
    """
    return protocol(number).keyword
