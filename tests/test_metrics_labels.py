"""Label values of the metric families (pure): bounded, and spelled as the README documents them."""

from __future__ import annotations

import pytest

from trunkline.xdp.exporter import ethertype_label, vlan_label


@pytest.mark.parametrize(("vlan", "label"), [(None, "untagged"), (0, "0"), (40, "40"), (4095, "4095")])
def test_vlan_label_is_the_decimal_id_or_untagged(vlan: int | None, label: str) -> None:
    assert vlan_label(vlan) == label


@pytest.mark.parametrize(("value", "label"), [(0x0806, "0x0806"), (0x88CC, "0x88cc"), (0x0600, "0x0600"),
                                              (1501, "0x05dd"), (38, "802.3-length"), (1500, "802.3-length"),
                                              (0, "802.3-length"), (0x10001, "802.3-length")])
def test_ethertype_label_is_hex_and_802_3_lengths_share_one(value: int, label: str) -> None:
    assert ethertype_label(value) == label


def test_ethertype_labels_are_bounded() -> None:
    assert len({ethertype_label(v) for v in range(0x10000)}) == 0x10000 - 1501 + 1
