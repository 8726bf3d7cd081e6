"""NodeNetworkState exports: parsing, and which NICs are proposed as the trunk uplink and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from trunkline.errors import BadInputError
from trunkline.openshift.nodestate import load_node_states, propose_trunk_nics

#: The sample node-state export the README uses (two OVN workers, ens34 free).
NNS = Path(__file__).parent.parent / "docs" / "examples" / "nns.yaml"


def _verdicts() -> dict[tuple[str, str], tuple[bool, str]]:
    states = load_node_states(NNS)
    return {(p.node, p.interface): (p.chosen, p.reason) for p in propose_trunk_nics(states)}


def test_list_export_gives_one_state_per_node_with_node_labels() -> None:
    states = load_node_states(NNS)
    assert [s.node for s in states] == ["worker-0", "worker-1"]
    assert states[0].labels == {
        "kubernetes.io/hostname": "worker-0",
        "node-role.kubernetes.io/worker": "",
        "trunkline.io/node-group": "workers",
    }
    assert states[0].default_route_interfaces == frozenset({"br-ex"})
    ens34 = states[0].interface("ens34")
    assert ens34 is not None
    assert (ens34.mac, ens34.mtu, ens34.controller, ens34.addresses) == ("00:50:56:BB:97:0D", 9000, None, ())


def test_nic_under_br_ex_is_rejected_whether_by_controller_key_or_by_bridge_port_list() -> None:
    verdicts = _verdicts()
    # worker-0's ens33 says `controller: br-ex`; worker-1's only appears in br-ex's port list.
    for node in ("worker-0", "worker-1"):
        assert verdicts[(node, "ens33")] == (
            False,
            "rejected: port of br-ex, the cluster network's bridge (OVN-Kubernetes)",
        )


def test_free_up_nic_is_chosen_and_down_or_addressed_nics_are_rejected() -> None:
    verdicts = _verdicts()
    assert verdicts[("worker-0", "ens34")][0] is True
    assert verdicts[("worker-1", "ens34")][0] is True
    assert verdicts[("worker-0", "ens35")] == (False, "rejected: state is down, not up")
    assert verdicts[("worker-1", "ens36")] == (
        False,
        "rejected: holds IP address 198.51.100.7 (node traffic)",
    )
    assert ("worker-0", "lo") not in verdicts  # only ethernet NICs are candidates


def test_nic_carrying_default_route_is_rejected(tmp_path: Path) -> None:
    export = tmp_path / "nns.yaml"
    export.write_text(
        "apiVersion: nmstate.io/v1beta1\nkind: NodeNetworkState\nmetadata: {name: n1}\n"
        "status:\n  currentState:\n    interfaces:\n"
        "    - {name: eth0, type: ethernet, state: up}\n"
        "    routes:\n      running:\n      - {destination: '::/0', next-hop-interface: eth0}\n"
    )
    [proposal] = propose_trunk_nics(load_node_states(export))
    assert (proposal.node, proposal.interface, proposal.chosen, proposal.reason) == (
        "n1",
        "eth0",
        False,
        "rejected: carries the node's default route",
    )
    assert proposal.labels is None


def test_bond_port_is_rejected_naming_the_bond(tmp_path: Path) -> None:
    export = tmp_path / "nns.yaml"
    export.write_text(
        "kind: NodeNetworkState\nmetadata: {name: n1}\nstatus:\n  currentState:\n    interfaces:\n"
        "    - {name: bond0, type: bond, state: up, link-aggregation: {mode: 802.3ad, port: [eno1]}}\n"
        "    - {name: eno1, type: ethernet, state: up}\n"
    )
    [proposal] = propose_trunk_nics(load_node_states(export))
    assert proposal.reason == "rejected: already a port of bond bond0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: NodeNetworkState\nmetadata: {name: n1\n", "nns.yaml:3: not valid YAML/JSON"),
        ("kind: Pod\nmetadata: {name: p}\n", "holds no NodeNetworkState object"),
        (
            "kind: NodeNetworkState\nmetadata: {name: n1}\nstatus: {}\n",
            "has no status.currentState.interfaces",
        ),
        ("- a\n- b\n", "expected a Kubernetes object, found a list"),
    ],
)
def test_bad_export_is_one_line_bad_input(tmp_path: Path, text: str, message: str) -> None:
    export = tmp_path / "nns.yaml"
    export.write_text(text)
    with pytest.raises(BadInputError) as info:
        load_node_states(export)
    assert message in info.value.message
    assert "\n" not in info.value.message


def test_json_export_reads_like_the_yaml_one(tmp_path: Path) -> None:
    export = tmp_path / "nns.json"
    export.write_text(json.dumps(yaml.safe_load((NNS).read_text()), indent=1))
    from_json = propose_trunk_nics(load_node_states(export))
    from_yaml = propose_trunk_nics(load_node_states(NNS))
    assert [(p.node, p.interface, p.chosen, p.reason) for p in from_json] == [
        (p.node, p.interface, p.chosen, p.reason) for p in from_yaml
    ]
    assert len(from_json) == 6
