"""Property tests over random inventories: names unique and valid, every port group mapped or
reported, output byte-identical on re-run."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from trunkline.openshift.naming import LABEL_MAX, NameRequest, assign_names, is_ifname, is_label
from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.nmstate import nncp_manifests
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.openshift.render import render_files, write_plan
from trunkline.openshift.validate import validate_directory
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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inv=inventories(), backend=st.sampled_from(["linux-bridge", "ovn-localnet"]))
def test_random_inventories_give_valid_unique_names_and_account_for_every_port_group(inv, backend):
    plan = build_plan(inv, PlanOptions(backend=backend, node_groups=node_groups(inv.nic_map, None, {})))
    nads = [n.nad for n in plan.networks if n.target == "multus"]
    assert all(nad is not None and is_label(nad) for nad in nads)
    assert len(nads) == len(set(nads))
    bridges = [b.name for b in plan.bridges]
    assert all(is_ifname(b) for b in bridges) and len(bridges) == len(set(bridges))
    for br in plan.bridges:
        for lay in br.layouts:
            assert lay.bond_name is None or is_ifname(lay.bond_name)
    nncp_names = [m["metadata"]["name"] for m in nncp_manifests(plan)]
    assert all(is_label(n) for n in nncp_names) and len(nncp_names) == len(set(nncp_names))
    vm_names = [vm.name for vm in plan.vms]
    assert all(is_label(n) for n in vm_names) and len(vm_names) == len(set(vm_names))
    # every port group is mapped, deliberately skipped, or reported
    source_pgs = Counter()
    for vc in inv.vcenters:
        for dc in vc.datacenters:
            for pg in dc.port_groups:
                source_pgs[pg.name] += 1
    reported = " ".join(f.subject for f in plan.findings)
    for net in plan.networks:
        assert net.reason
        if net.target == "multus":
            assert net.nad and net.bridge in bridges
        elif net.target == "unmapped":
            assert repr(net.name) in reported
        else:
            assert net.target == "skipped"
    assert {n.name for n in plan.networks} == set(source_pgs)
    # every NAD's bridge exists on some NNCP, unless a finding says why not
    for net in plan.networks:
        if net.target == "multus":
            (br,) = [b for b in plan.bridges if b.name == net.bridge]
            assert br.layouts or any(f.code == "no-nodes" for f in plan.findings)
            if backend == "linux-bridge" and not net.trunk:
                for a, _ in net.vlan_ids:
                    assert any(x <= a <= y for x, y in br.vlan_ids) or (a == 1 and br.untagged)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inv=inventories())
def test_random_inventories_render_byte_identically_twice(inv):
    def once() -> dict[str, str]:
        fresh = Inventory.model_validate(inv.model_dump())
        return render_files(build_plan(fresh, PlanOptions(node_groups=node_groups(inv.nic_map, None, {}))))

    assert once() == once()


@given(
    st.lists(st.tuples(st.text(min_size=1, max_size=20), NAMES, NAMES), max_size=30, unique_by=lambda t: t[0])
)
def test_assigned_names_are_unique_valid_and_independent_of_order(items):
    requests = [NameRequest(key=k, text=t, qualifier=q) for k, t, q in items]
    names, collisions = assign_names(requests)
    again, _ = assign_names(list(reversed(requests)))
    assert names == again
    assert len(set(names.values())) == len(names)
    assert all(is_label(n, LABEL_MAX) for n in names.values())
    collided = {k for c in collisions for k, _ in c.names}
    bases = Counter(names.values())
    assert all(count == 1 for count in bases.values())
    assert collided <= set(names)


# validate findings that follow from a plan finding (the plan reports the same problem first)
EXPLAINED = {
    "vlan-not-on-uplink": "native-vlan",
    "vlan-untagged-on-uplink": "native-vlan",
    "nic-placeholder": "unmapped-uplink",
}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(inv=inventories(), backend=st.sampled_from(["linux-bridge", "ovn-localnet"]))
def test_validate_passes_our_own_output(tmp_path, inv, backend):
    out = tmp_path / "plan"
    plan = build_plan(inv, PlanOptions(backend=backend, node_groups=node_groups(inv.nic_map, None, {})))
    write_plan(plan, out)
    result = validate_directory(out, target_namespace="default")
    plan_codes = {f.code for f in plan.findings}
    unexplained = [f for f in result.findings if EXPLAINED.get(f.key) not in plan_codes]
    assert unexplained == []
