"""Facts several modules share (trunkline.facts): one MAC pattern, one list of reserved names."""

from __future__ import annotations

import pytest

from trunkline.facts import is_mac, is_reserved_interface, normalise_mac


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("00:50:56:ab:cd:ef", "00:50:56:ab:cd:ef"),
        ("00-50-56-AB-CD-EF", "00:50:56:ab:cd:ef"),
        ("0050.56ab.CDEF", "00:50:56:ab:cd:ef"),
    ],
)
def test_mac_forms_go_net_parsemac_reads_as_six_bytes(text: str, normal: str) -> None:
    assert is_mac(text) and normalise_mac(text) == normal


@pytest.mark.parametrize(
    "text",
    ["005056abcdef", "00:50-56:ab:cd:ef", "00:50:56:ab:cd", "00:50:56:ab:cd:ef:01:02", "00:50:56:ab:cd:eg"],
)
def test_other_mac_forms_are_refused(text: str) -> None:
    assert not is_mac(text) and normalise_mac(text) is None


@pytest.mark.parametrize(
    "name", ["br-ex", "br-int", "br-local", "ovs-system", "ovn-k8s-mp0", "genev_sys_6081"]
)
def test_ovn_kubernetes_interfaces_are_reserved(name: str) -> None:
    assert is_reserved_interface(name) and not is_reserved_interface("vlan-trunk")
