"""Property tests over random inventories: names unique and valid, every port group mapped or
reported, output byte-identical on re-run."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.strategies import NAMES, inventories
from trunkline.openshift.naming import LABEL_MAX, NameRequest, assign_names, is_ifname, is_label
from trunkline.openshift.nicmap import node_groups
from trunkline.openshift.nmstate import nncp_manifests
from trunkline.openshift.plan import PlanOptions, build_plan
from trunkline.openshift.render import render_files, write_plan
from trunkline.openshift.validate import validate_directory
from trunkline.vsphere.model import Inventory


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
