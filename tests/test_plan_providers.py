"""MTV source Provider names trunkline assumes when the user names none."""

from __future__ import annotations

from tests.support.plan import dvs_vcenter, plan_for
from trunkline.openshift.naming import is_subdomain
from trunkline.vsphere.model import Inventory


def _two(name_a: str, name_b: str) -> Inventory:
    a = dvs_vcenter([{"name": "x", "vlan": 10}], vcenter=name_a)
    b = dvs_vcenter([{"name": "y", "vlan": 20}], vcenter=name_b)
    return Inventory.model_validate({"vcenters": [a, b]})


def test_vcenters_that_sanitise_alike_get_distinct_providers_and_a_finding():
    plan = plan_for(_two("VC_A", "vc-a"))
    providers = {m.vcenter: m.provider for m in plan.network_maps}
    assert len(set(providers.values())) == 2
    assert all(p.startswith("vc-a-") and is_subdomain(p) for p in providers.values())
    found = sorted((f.subject, f.severity) for f in plan.findings if f.code == "mtv-provider-guessed")
    assert found == [("vCenter VC_A", "warning"), ("vCenter vc-a", "warning")]
    assert all("pass --mtv-provider VCENTER=NAME" in f.message for f in plan.findings
               if f.code == "mtv-provider-guessed")


def test_named_providers_need_no_finding():
    plan = plan_for(_two("VC_A", "vc-a"), mtv_providers={"VC_A": "prov-a", "vc-a": "prov-b"})
    assert {m.provider for m in plan.network_maps} == {"prov-a", "prov-b"}
    assert "mtv-provider-guessed" not in {f.code for f in plan.findings}


def test_a_long_vcenter_name_is_kept_up_to_253_characters_and_reported_beyond():
    medium = "v" * 200
    plan = plan_for(_two(medium, "w" * 300))
    providers = {m.vcenter: m.provider for m in plan.network_maps}
    assert providers[medium] == medium
    assert len(providers["w" * 300]) == 253 and is_subdomain(providers["w" * 300])
    (finding,) = [f for f in plan.findings if f.code == "mtv-provider-guessed"]
    assert finding.subject == "vCenter " + "w" * 80
    assert "longer than a Kubernetes name (253 characters)" in finding.message
