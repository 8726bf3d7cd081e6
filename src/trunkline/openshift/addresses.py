"""Guest addresses per port group: the smallest prefixes that cover them (REPORT.md's address table).

Addresses come from the inventory's VM NICs: ``10.0.20.15/24`` where the source gave the prefix length
(vCenter's ``guest.net[].ipConfig.ipAddress[]``), ``10.0.20.15`` where it did not (RVTools). Known prefixes
give their networks; addresses outside them are covered by the smallest single prefix per address family,
marked *inferred* (the real subnet may be larger). Link-local and loopback addresses say nothing about the
port group's subnet and are left out of the covering.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import NamedTuple


class Covering(NamedTuple):
    """``known``: networks from prefix lengths the source gave; ``inferred``: the smallest prefix per
    family covering the addresses without one (``None`` for a family without such addresses)."""

    known: tuple[str, ...]
    inferred: tuple[str, ...]


def smallest_prefix(addresses: list[ipaddress.IPv4Address] | list[ipaddress.IPv6Address]) -> str:
    """The smallest network covering every address of one family: ``10.0.20.0/27`` for .5 and .17."""
    values = [int(a) for a in addresses]
    low, high = min(values), max(values)
    bits = addresses[0].max_prefixlen
    prefix = bits - (low ^ high).bit_length()
    return str(ipaddress.ip_network((low, prefix), strict=False))


def covering(addresses: Iterable[str]) -> Covering:
    """The networks covering *addresses* (texts as the inventory holds them; see the module docstring).

    Raises:
        ValueError: a text is not an address (the inventory model refuses those).
    """
    parsed = [(ipaddress.ip_interface(a), "/" in a) for a in addresses]
    useful = [(i, given) for i, given in parsed if not (i.ip.is_link_local or i.ip.is_loopback)]
    known = sorted(
        {i.network for i, given in useful if given},
        key=lambda n: (n.version, int(n.network_address), n.prefixlen),
    )
    rest = [i.ip for i, _ in useful if not any(i.ip in n for n in known)]
    inferred = []
    for version in (4, 6):
        family = [a for a in rest if a.version == version]
        if family:
            inferred.append(smallest_prefix(family))  # type: ignore[arg-type]
    return Covering(tuple(str(n) for n in known), tuple(inferred))
