"""NAD configs fed to the real bridge CNI plugin (Debian's containernetworking-plugins 1.1.1).

What this proves, and what it cannot:

* The NAD's CNI config (its ``spec.config`` JSON, as ``trunkline plan`` writes it or as the seed
  published it) is accepted by the real plugin, ``/usr/lib/cni/bridge``, run exactly as Multus runs it
  (``CNI_COMMAND=ADD``, config on stdin). The plugin attaches a fresh network namespace (standing in for
  the VM's pod) to a Linux bridge built with pyroute2 from the NNCP's ``desiredState``: the bridge with
  its name, STP setting and MTU, and its uplink port (a veth named like the NIC, standing in for the
  physical NIC, which does not exist here). We check that the pod's veth is a port of that bridge with
  the NAD's ``mtu``, that ``macspoofchk`` installed its nftables rules and that they drop frames with a
  forged source MAC while passing the pod's own, and that ``CNI_COMMAND=DEL`` removes it all.
* OpenShift ships the plugin as ``cnv-bridge``; Debian's binary is ``bridge``. The config's ``type`` is
  rewritten from ``cnv-bridge`` to ``bridge`` before it is fed to the plugin: it is the same plugin.
* Only the untagged parts are proven here. This machine's kernel has no 802.1Q module and no bridge VLAN
  filtering, so the plugin fails with "operation not supported" as soon as ``vlan`` is set, and
  1.1.1 does not know ``vlanTrunk`` or ``preserveDefaultVlan`` at all (upstream 1.3.0 added them).
  Those keys are removed before feeding the plugin, the uplink port's VLAN settings are left out of the
  bridge, and the keys are instead checked against the upstream plugin's documented options (names,
  JSON types, VLAN ranges, ``vlan``/``vlanTrunk`` exclusivity) through ``trunkline validate``'s option
  table. The tagged path is ``trunkline lab --vm``'s job (a full kernel under qemu).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyroute2 import IPRoute

from tests.conftest import require, run_cli
from tests.netns import sh, unique
from trunkline.openshift.manifests import Kind, load_manifests
from trunkline.openshift.objects import BRIDGE_CNI_TYPES, parse_nad_config
from trunkline.openshift.validate import BRIDGE_OPTION_TYPES, nncp_bridges, validate_documents

BRIDGE_PLUGIN = Path("/usr/lib/cni/bridge")
SEED_DIR = Path(__file__).parent / "data" / "validate" / "seed"

#: Keys this kernel + plugin 1.1.1 cannot prove (see the module docstring).
VLAN_KEYS = ("vlan", "vlanTrunk", "preserveDefaultVlan")
#: A local experimental EtherType (IEEE 802 "Local Experimental Ethertype 1") for the test frames.
TEST_ETHERTYPE = 0x88B5


@dataclass(frozen=True)
class Case:
    """One bridge-CNI NAD of a manifests directory and the NNCP bridge it attaches to."""

    nad: str
    config: dict[str, Any]
    bridge: str
    stp: bool
    bridge_mtu: int | None
    uplink: str
    uplink_mtu: int | None

    @property
    def id(self) -> str:
        return self.nad


def cases_from(directory: Path) -> list[Case]:
    """Every NAD of *directory* using the bridge CNI on a bridge one of its NNCPs creates."""
    docs = load_manifests(directory)
    bridges = {b.name: b for b in nncp_bridges(docs) if b.type == "linux-bridge"}
    out = []
    for doc in docs:
        if doc.kind is not Kind.NAD or doc.name is None:
            continue
        config, _ = parse_nad_config(doc.body["spec"])
        if (
            config is None
            or config.get("type") not in BRIDGE_CNI_TYPES
            or config.get("bridge") not in bridges
        ):
            continue
        bridge = bridges[config["bridge"]]
        iface = _nncp_interface(bridge.doc.body, bridge.name)
        stp = bool(iface.get("bridge", {}).get("options", {}).get("stp", {}).get("enabled", False))
        uplink = bridge.ports[0].name
        port_iface = _nncp_interface(bridge.doc.body, uplink)
        out.append(
            Case(doc.name, config, bridge.name, stp, bridge.mtu, uplink, port_iface.get("mtu", bridge.mtu))
        )
    return out


def _nncp_interface(body: dict[str, Any], name: str) -> dict[str, Any]:
    for iface in body["spec"]["desiredState"]["interfaces"]:
        if iface.get("name") == name:
            return dict(iface)
    return {}


def for_debian_plugin(config: dict[str, Any]) -> dict[str, Any]:
    """*config* as Debian's 1.1.1 ``bridge`` binary can run it here: VLAN keys removed (no 802.1Q or
    bridge VLAN filtering on this kernel; ``vlanTrunk``/``preserveDefaultVlan`` are upstream 1.3.0) and
    ``type: cnv-bridge`` (OpenShift's name for the same plugin) rewritten to ``bridge``."""
    out = {k: v for k, v in config.items() if k not in VLAN_KEYS}
    if out["type"] == "cnv-bridge":
        out["type"] = "bridge"
    return out


SEED_CASES = cases_from(SEED_DIR)


# --------------------------------------------------------------------------------------------------
# Network namespaces: a "node" with the NNCP's bridge, and a "pod"
# --------------------------------------------------------------------------------------------------


@dataclass
class Node:
    """A fresh network namespace standing in for the node, holding the NNCP's bridge and uplink."""

    netns: str
    pod_netns: str
    wire: str  # the far end of the uplink veth: frames leaving the node through the uplink arrive here

    def cni(
        self, command: str, config: dict[str, Any], container_id: str
    ) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "CNI_COMMAND": command,
            "CNI_CONTAINERID": container_id,
            "CNI_NETNS": f"/var/run/netns/{self.pod_netns}",
            "CNI_IFNAME": "eth0",
            "CNI_PATH": str(BRIDGE_PLUGIN.parent),
        }
        return subprocess.run(
            ["ip", "netns", "exec", self.netns, str(BRIDGE_PLUGIN)],
            input=json.dumps(config),
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    def nft_ruleset(self) -> list[dict[str, Any]]:
        out = sh("ip", "netns", "exec", self.netns, "nft", "-j", "list", "ruleset").stdout
        return list(json.loads(out)["nftables"])


@contextmanager
def node_with_bridge(case: Case) -> Iterator[Node]:
    """Build the NNCP's bridge (no port VLAN settings) in a fresh namespace; remove everything after."""
    node = Node(netns=unique("tvn"), pod_netns=unique("tvp"), wire=unique("wire"))
    sh("ip", "netns", "add", node.netns)
    try:
        sh("ip", "netns", "add", node.pod_netns)
        with IPRoute(netns=node.netns) as ipr:
            ipr.link("add", ifname=case.bridge, kind="bridge", br_stp_state=1 if case.stp else 0)
            ipr.link("add", ifname=case.uplink, kind="veth", peer=node.wire)
            bridge_idx = ipr.link_lookup(ifname=case.bridge)[0]
            uplink_idx = ipr.link_lookup(ifname=case.uplink)[0]
            wire_idx = ipr.link_lookup(ifname=node.wire)[0]
            if case.uplink_mtu:
                ipr.link("set", index=uplink_idx, mtu=case.uplink_mtu)
                ipr.link("set", index=wire_idx, mtu=case.uplink_mtu)
            if case.bridge_mtu:
                ipr.link("set", index=bridge_idx, mtu=case.bridge_mtu)
            ipr.link("set", index=uplink_idx, master=bridge_idx)
            for idx in (bridge_idx, uplink_idx, wire_idx):
                ipr.link("set", index=idx, state="up")
        yield node
    finally:
        sh("ip", "netns", "del", node.pod_netns, check=False)
        sh("ip", "netns", "del", node.netns, check=False)


def link(netns: str, name: str) -> dict[str, Any] | None:
    """``ip -d -j link show NAME`` in *netns*, or ``None`` when there is no such link."""
    proc = sh("ip", "-n", netns, "-d", "-j", "link", "show", "dev", name, check=False)
    if proc.returncode != 0:
        return None
    return dict(json.loads(proc.stdout)[0])


# --------------------------------------------------------------------------------------------------
# Frames: send from the pod with a chosen source MAC, see what leaves through the uplink
# --------------------------------------------------------------------------------------------------

_RECEIVER = textwrap.dedent(
    """
    import socket, sys, time
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons({ethertype}))
    s.bind(({ifname!r}, 0))
    s.settimeout(0.2)
    print("ready", flush=True)
    seen, end = [], time.time() + {seconds}
    while time.time() < end:
        try:
            frame = s.recv(2048)
        except socket.timeout:
            continue
        if frame[12:14] == ({ethertype}).to_bytes(2, "big") and frame[14:22] == b"trunklin":
            seen.append(frame[6:12].hex(":"))
    print(" ".join(seen), flush=True)
    """
)

_SENDER = textwrap.dedent(
    """
    import socket
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("eth0", 0))
    for src in {sources!r}:
        frame = b"\\xff" * 6 + bytes.fromhex(src.replace(":", "")) + ({ethertype}).to_bytes(2, "big")
        s.send(frame + b"trunklin" + bytes(38))
    """
)


def frames_through_uplink(node: Node, sources: list[str]) -> list[str]:
    """Broadcast one test frame per source MAC from the pod's eth0; return the sources that left the
    node through the uplink (seen on the far end of the uplink veth)."""
    receiver = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            node.netns,
            sys.executable,
            "-c",
            _RECEIVER.format(ethertype=TEST_ETHERTYPE, ifname=node.wire, seconds=2.0),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout is not None
        assert receiver.stdout.readline().strip() == "ready"
        time.sleep(0.1)
        sh(
            "ip",
            "netns",
            "exec",
            node.pod_netns,
            sys.executable,
            "-c",
            _SENDER.format(sources=sources, ethertype=TEST_ETHERTYPE),
        )
        out, _ = receiver.communicate(timeout=30)
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait()
    return out.split()


def macspoofchk_rules(node: Node, container_id: str) -> list[dict[str, Any]]:
    """nftables rules the plugin tagged with this container's ``macspoofchk-<id>-eth0`` comment."""
    tag = f"macspoofchk-{container_id}-eth0"
    return [e["rule"] for e in node.nft_ruleset() if "rule" in e and e["rule"].get("comment") == tag]


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


def test_seed_directory_yields_its_vlan_40_nad() -> None:
    assert [(c.nad, c.bridge, c.uplink, c.stp) for c in SEED_CASES] == [
        ("vm-vlan-40", "vlan-trunk", "ens34", False)
    ]


@pytest.mark.parametrize("case", SEED_CASES, ids=lambda c: c.id)
def test_vlan_keys_match_the_upstream_plugins_documented_options(case: Case) -> None:
    """What 1.1.1 on this kernel cannot prove, checked against upstream's documented option set."""
    present = [k for k in VLAN_KEYS if k in case.config]
    assert present, "a NAD from the plan always writes preserveDefaultVlan"
    for key in present:
        assert key in BRIDGE_OPTION_TYPES
    assert not ("vlan" in case.config and "vlanTrunk" in case.config)
    docs = [d for d in load_manifests(SEED_DIR)]
    assert [f for f in validate_documents(docs) if f.field.split(".")[-1].split("[")[0] in VLAN_KEYS] == []


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``trunkline plan`` of the bundled example (the seed's design, ``vmnic1`` -> ``ens34``)."""
    out = tmp_path_factory.mktemp("plan") / "out"
    proc = run_cli("plan", "--nic-map", "vmnic1=ens34", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_plan_output_yields_one_case_per_nad_with_mtu_and_vlan_keys(plan_dir: Path) -> None:
    cases = cases_from(plan_dir)
    assert [(c.nad, c.bridge, c.uplink, c.stp, c.config["vlan"]) for c in cases] == [
        (f"vm-vlan-{n}", "vlan-trunk", "ens34", False, n) for n in (10, 20, 30, 40)
    ]
    for case in cases:
        assert case.config["mtu"] == 1500 and case.config["preserveDefaultVlan"] is False


def test_plan_vlan_keys_match_the_upstream_plugins_documented_options(plan_dir: Path) -> None:
    """What 1.1.1 on this kernel cannot prove, checked against upstream's documented option set."""
    findings = validate_documents(load_manifests(plan_dir), directory=plan_dir)
    assert findings == []
    for case in cases_from(plan_dir):
        for key in VLAN_KEYS:
            if key in case.config:
                assert isinstance(case.config[key], BRIDGE_OPTION_TYPES[key])


@pytest.mark.privileged
def test_real_bridge_plugin_accepts_every_planned_nad(plan_dir: Path) -> None:
    cases = cases_from(plan_dir)
    assert len(cases) == 4
    for case in cases:
        attach_and_detach(case)


@pytest.mark.privileged
@pytest.mark.parametrize("case", SEED_CASES, ids=lambda c: c.id)
def test_real_bridge_plugin_attaches_pod_to_nncp_bridge_and_del_removes_it(case: Case) -> None:
    attach_and_detach(case)


def attach_and_detach(case: Case) -> None:
    """Feed *case*'s config to the real plugin: ADD attaches a fresh pod namespace to the NNCP's bridge
    with the NAD's mtu (and working macspoofchk rules), DEL removes it."""
    require(
        None
        if BRIDGE_PLUGIN.exists()
        else f"needs {BRIDGE_PLUGIN} (apt-get install containernetworking-plugins)"
    )
    config = for_debian_plugin(case.config)
    if config.get("macspoofchk"):
        require(None if shutil.which("nft") else "needs nft for macspoofchk (apt-get install nftables)")
    assert config["type"] == "bridge" and not set(VLAN_KEYS) & set(config)
    container_id = unique("tlcni")
    expected_mtu = config.get("mtu", 1500)
    with node_with_bridge(case) as node:
        add = node.cni("ADD", config, container_id)
        assert add.returncode == 0, add.stdout + add.stderr
        result = json.loads(add.stdout)
        bridge_if, host_if, pod_if = result["interfaces"]
        assert bridge_if["name"] == case.bridge
        assert pod_if["name"] == "eth0" and pod_if["sandbox"] == f"/var/run/netns/{node.pod_netns}"

        host_veth = link(node.netns, host_if["name"])
        assert host_veth is not None
        assert host_veth["master"] == case.bridge
        assert host_veth["linkinfo"]["info_slave_kind"] == "bridge"
        assert host_veth["mtu"] == expected_mtu
        pod_eth0 = link(node.pod_netns, "eth0")
        assert pod_eth0 is not None
        assert (pod_eth0["mtu"], pod_eth0["address"]) == (expected_mtu, pod_if["mac"])

        rules = macspoofchk_rules(node, container_id)
        if config.get("macspoofchk"):
            # 1.1.1 supports macspoofchk: an nftables bridge chain that returns for the pod's MAC and
            # drops everything else arriving from its veth.
            assert len(rules) >= 2, node.nft_ruleset()
            forged = "02:00:00:00:00:99"
            assert frames_through_uplink(node, [forged, pod_if["mac"]]) == [pod_if["mac"]]
        else:
            assert rules == []

        delete = node.cni("DEL", config, container_id)
        assert delete.returncode == 0, delete.stdout + delete.stderr
        assert link(node.netns, host_if["name"]) is None
        assert link(node.pod_netns, "eth0") is None
        assert macspoofchk_rules(node, container_id) == []
        # the bridge and its uplink stay: they belong to the NNCP, not to the pod
        uplink = link(node.netns, case.uplink)
        assert uplink is not None and uplink["master"] == case.bridge
