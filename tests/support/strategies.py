"""Hypothesis strategies for random inventories, shared by the property tests (not a test module)."""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from trunkline.vsphere.model import Inventory

NAMES = st.text(alphabet=st.sampled_from('aAbB-_ .1/é|"<>z'), min_size=0, max_size=80)
VLANS = st.one_of(
    st.just(0),
    st.integers(1, 4095),
    st.lists(st.tuples(st.integers(0, 4094), st.integers(0, 60)), min_size=1, max_size=3).map(
        lambda rs: {"type": "trunk", "ranges": [{"start": a, "end": min(a + n, 4094)} for a, n in rs]}
    ),
    st.builds(lambda s: {"type": "pvlan", "secondary": s}, st.integers(1, 4094)),
)
SECURITY = st.fixed_dictionaries(
    {}, optional={"forged_transmits": st.booleans(), "promiscuous": st.booleans()}
)


@st.composite
def datacenters(draw: Any, dc_index: int) -> dict[str, Any]:
    hosts = draw(st.integers(1, 3))
    n_dvs = draw(st.integers(0, 2))
    switches: list[dict[str, Any]] = []
    host_nics: dict[int, list[dict[str, Any]]] = {h: [] for h in range(hosts)}
    for d in range(n_dvs):
        switches.append(
            {
                "id": f"dvs-{d}",
                "name": draw(NAMES),
                "kind": "distributed",
                "uplinks": ["uplink1"],
                "mtu": draw(st.sampled_from([None, 1500, 9000])),
            }
        )
        for h in range(hosts):
            host_nics[h].append({"name": f"vmnic{d + 1}", "switch": f"dvs-{d}", "uplink": "uplink1"})
    std_names = draw(st.lists(st.sampled_from(["vSwitch0", "vSwitch1"]), max_size=2, unique=True))
    for s, sname in enumerate(std_names):
        for h in range(hosts):
            switches.append(
                {
                    "id": f"host-{h}/{sname}",
                    "name": sname,
                    "kind": "standard",
                    "host": f"host-{h}",
                    "uplinks": [f"vmnic{5 + s}"],
                }
            )
    port_groups = []
    networks = []
    for i, sw in enumerate(sw for sw in switches if sw["kind"] == "distributed"):
        for p in range(draw(st.integers(0, 4))):
            pid = f"dvportgroup-{dc_index}{i}{p}"
            networks.append(pid)
            port_groups.append(
                {
                    "id": pid,
                    "name": draw(NAMES),
                    "switch": sw["id"],
                    "vlan": draw(VLANS),
                    "security": draw(SECURITY),
                    "uplink_portgroup": draw(st.booleans()) and p == 0,
                    "nsx": draw(st.integers(0, 9)) == 0,
                }
            )
    for s, sname in enumerate(std_names):
        for p in range(draw(st.integers(0, 3))):
            pname = draw(NAMES)
            net = f"network-{dc_index}{s}{p}"
            networks.append(net)
            for h in range(hosts):
                port_groups.append(
                    {
                        "id": f"host-{h}/{sname}/{p}",
                        "name": pname,
                        "switch": f"host-{h}/{sname}",
                        "network": net,
                        "vlan": draw(VLANS),
                    }
                )
    vms = []
    for v in range(draw(st.integers(0, 4))):
        nics = [
            {
                "label": f"nic{k}",
                "mac": draw(st.sampled_from(["00:50:56:00:00:01", "00:50:56:00:00:02", None])),
                "adapter": draw(st.sampled_from(["vmxnet3", "e1000", None])),
                "network": draw(st.sampled_from([*networks, None, "network-gone"])),
            }
            for k in range(draw(st.integers(0, 3)))
        ]
        vms.append({"id": f"vm-{v}", "name": draw(NAMES), "nics": nics})
    return {
        "id": f"datacenter-{dc_index}",
        "name": f"DC{dc_index}",
        "hosts": [{"id": f"host-{h}", "name": f"esx{h}", "nics": host_nics[h]} for h in range(hosts)],
        "switches": switches,
        "port_groups": port_groups,
        "vms": vms,
    }


@st.composite
def inventories(draw: Any) -> Inventory:
    vcenters = []
    for c in range(draw(st.integers(1, 2))):
        dcs = [draw(datacenters(d)) for d in range(draw(st.integers(1, 2)))]
        vcenters.append({"name": f"vc{c}.example", "datacenters": dcs})
    nic_map = draw(
        st.dictionaries(st.sampled_from(["vmnic1", "vmnic2", "vmnic5"]), st.sampled_from(["ens34", "ens35"]))
    )
    inv = Inventory.model_validate({"vcenters": vcenters, "nic_map": nic_map})
    # an inventory without port groups is bad input (tests/test_plan_options.py), not a plan
    assume(any(dc.port_groups for vc in inv.vcenters for dc in vc.datacenters))
    return inv
