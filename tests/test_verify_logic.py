"""`trunkline verify`'s comparison (pure): observed rx snapshots vs the NADs' VLANs, and reading NADs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from trunkline.cli import main
from trunkline.errors import BadInputError
from trunkline.openshift.manifests import Document, Kind
from trunkline.verify import NadVlans, blind_message, nad_vlans, read_nads, verify
from trunkline.xdp.stats import Cell, Snapshot


def snap(interface: str, vlans: dict[int | None, Cell], direction: str = "rx") -> Snapshot:
    return Snapshot(interface=interface, ifindex=2, direction=direction, hook="tc", mode=None,  # type: ignore[arg-type]
                    monotonic_ns=0, time=0.0, vlans=vlans)


def doc(body: dict[str, object]) -> Document:
    return Document(file="nads.yaml", index=0, line=3, kind=Kind.NAD, body=body)


def nad(name: str, config: dict[str, object], namespace: str = "vms") -> dict[str, object]:
    return {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"config": json.dumps({"cniVersion": "0.3.1", "name": name, **config})}}


def bridge(vlan: int | None = None, trunk: list[dict[str, int]] | None = None) -> dict[str, object]:
    conf: dict[str, object] = {"type": "cnv-bridge", "bridge": "br-trunk"}
    if vlan is not None:
        conf["vlan"] = vlan
    if trunk is not None:
        conf["vlanTrunk"] = trunk
    return conf


def test_vlan_with_traffic_and_no_nad_is_unmapped_and_fails() -> None:
    nads = [NadVlans("vms/v40", ranges=((40, 40),))]
    result = verify([snap("ens34", {40: Cell(5, 500), 99: Cell(3, 312)})], nads)
    assert result.unmapped == (99,)
    assert not result.ok
    rows = {r.vlan: (r.status, r.total, r.nads) for r in result.rows}
    assert rows == {40: ("mapped", Cell(5, 500), ("vms/v40",)), 99: ("unmapped", Cell(3, 312), ())}


def test_access_nad_whose_vlan_saw_nothing_is_silent_but_ok() -> None:
    nads = [NadVlans("vms/v40", ranges=((40, 40),)), NadVlans("vms/v50", ranges=((50, 50),))]
    result = verify([snap("ens34", {40: Cell(1, 64)})], nads)
    assert result.ok
    assert [n.name for n in result.silent_nads] == ["vms/v50"]
    assert [(r.vlan, r.status, r.total) for r in result.rows] == [
        (40, "mapped", Cell(1, 64)), (50, "silent", Cell())]


def test_trunk_range_maps_every_vlan_inside_and_is_silent_only_when_none_seen() -> None:
    trunk = NadVlans("vms/all", ranges=((1, 4094),))
    result = verify([snap("ens34", {7: Cell(2, 128), 4000: Cell(1, 64)})], [trunk])
    assert result.ok
    assert [(r.vlan, r.status, r.nads) for r in result.rows] == [
        (7, "mapped", ("vms/all",)), (4000, "mapped", ("vms/all",))]
    assert result.silent_nads == ()
    quiet = verify([snap("ens34", {None: Cell(9, 900)})], [trunk])
    assert [n.name for n in quiet.silent_nads] == ["vms/all"]
    # A 4094-VLAN trunk does not produce 4094 silent rows.
    assert [(r.vlan, r.status) for r in quiet.rows] == [(None, "untagged")]


def test_untagged_and_priority_tagged_traffic_is_reported_not_an_error() -> None:
    flat = [NadVlans("vms/flat", untagged=True)]
    result = verify([snap("ens34", {None: Cell(10, 1000), 0: Cell(2, 200)})], flat)
    assert result.ok
    assert result.untagged == Cell(12, 1200)
    assert [(r.vlan, r.status, r.nads) for r in result.rows] == [
        (None, "untagged", ("vms/flat",)), (0, "untagged", ("vms/flat",))]


def test_no_tagged_frame_while_nads_name_vlans_fails_as_wrong_interface_or_no_traffic() -> None:
    nads = [NadVlans("vms/v40", ranges=((40, 40),)), NadVlans("vms/flat", untagged=True)]
    result = verify([snap("nuB", {None: Cell(12, 1200), 0: Cell(1, 100)})], nads)
    assert (result.unmapped, result.tagged_seen, result.blind, result.ok) == ((), False, True, False)
    assert [n.name for n in result.silent_nads] == ["vms/v40"]
    assert blind_message(result, 10.03, "tc") == (  # the measured window, to 0.1 s
        "saw no tagged frames on nuB in 10 s: wrong interface, or no traffic?")
    assert blind_message(result, 2.4981, "xdp") == (
        "saw no tagged frames on nuB in 2.5 s: wrong interface, or no traffic?; "
        "the XDP hook misses tags the NIC strips: try --hook tc")
    record = result.to_json()
    assert (record["ok"], record["blind"], record["tagged_seen"]) == (False, True, False)


def test_no_frames_at_all_fails_even_for_an_untagged_only_plan() -> None:
    result = verify([snap("nuB", {})], [NadVlans("vms/flat", untagged=True)])
    assert (result.blind, result.ok) == (True, False)
    assert blind_message(result, 3, "tc") == (
        "saw no frames at all on nuB in 3 s: wrong interface, or no traffic?")


def test_untagged_only_plan_with_untagged_traffic_and_one_tagged_vlan_seen_are_not_blind() -> None:
    flat = verify([snap("ens34", {None: Cell(5, 500)})], [NadVlans("vms/flat", untagged=True)])
    assert (flat.blind, flat.ok) == (False, True)
    some = verify([snap("ens34", {40: Cell(1, 64)})],
                  [NadVlans("vms/v40", ranges=((40, 40),)), NadVlans("vms/v50", ranges=((50, 50),))])
    assert (some.blind, some.ok, [n.name for n in some.silent_nads]) == (False, True, ["vms/v50"])


def test_interfaces_are_summed_and_kept_apart_per_vlan() -> None:
    nads = [NadVlans("vms/v40", ranges=((40, 40),))]
    result = verify([snap("ens34", {40: Cell(3, 300)}), snap("ens35", {40: Cell(4, 400)}),
                     snap("ens35", {99: Cell(8, 800)}, direction="tx")], nads)
    (row,) = result.rows
    assert row.total == Cell(7, 700)
    assert row.per_interface == {"ens34": Cell(3, 300), "ens35": Cell(4, 400)}
    assert result.ok  # tx on VLAN 99 is not what arrives on the trunk


def test_baseline_is_subtracted() -> None:
    nads = [NadVlans("vms/v40", ranges=((40, 40),))]
    before = [snap("ens34", {40: Cell(3, 300), 99: Cell(1, 100)})]
    after = [snap("ens34", {40: Cell(5, 500), 99: Cell(1, 100)})]
    result = verify(after, nads, baseline=before)
    assert [(r.vlan, r.total, r.status) for r in result.rows] == [(40, Cell(2, 200), "mapped")]
    assert result.ok


def test_json_record_lists_findings() -> None:
    nads = [NadVlans("vms/v40", "p/nad.yaml", "cnv-bridge", ((40, 40),)),
            NadVlans("vms/v50", ranges=((50, 50),))]
    record = verify([snap("ens34", {40: Cell(1, 64), 99: Cell(2, 128)})], nads).to_json()
    assert record["ok"] is False
    assert record["unmapped"] == [99]
    assert record["silent"] == [{"nad": "vms/v50", "vlans": [[50, 50]], "source": ""}]
    assert record["vlans"][0] == {"vlan": 40, "status": "mapped", "packets": 1, "bytes": 64,
                                  "nads": ["vms/v40"], "interfaces": {"ens34": {"packets": 1, "bytes": 64}}}


@pytest.mark.parametrize(
    ("config", "ranges", "untagged"),
    [
        (bridge(vlan=40), ((40, 40),), False),
        (bridge(), (), True),
        (bridge(vlan=0), (), True),
        (bridge(trunk=[{"id": 10}, {"minID": 20, "maxID": 29}, {"id": 30}]), ((10, 10), (20, 30)), True),
        ({**bridge(trunk=[{"id": 10}]), "preserveDefaultVlan": False}, ((10, 10),), False),
        ({"type": "ovn-k8s-cni-overlay", "topology": "localnet", "vlanID": 60,
          "netAttachDefName": "vms/x"}, ((60, 60),), False),
        ({"type": "ovn-k8s-cni-overlay", "topology": "localnet", "netAttachDefName": "vms/x"}, (), True),
        ({"plugins": [bridge(vlan=70), {"type": "tuning"}]}, ((70, 70),), False),
    ],
    ids=["access", "untagged", "vlan-0", "trunk", "trunk-no-default-vlan", "localnet", "localnet-untagged",
         "conflist"],
)
def test_nad_vlans_from_spec_config(config: dict[str, object], ranges: tuple[tuple[int, int], ...],
                                    untagged: bool) -> None:
    got = nad_vlans(doc(nad("x", config)))
    assert (got.name, got.ranges, got.untagged, got.source) == ("vms/x", ranges, untagged, "nads.yaml:3")


def test_other_plugins_carry_no_trunk_vlan_and_are_listed_apart() -> None:
    other = nad_vlans(doc(nad("sriov", {"type": "sriov", "vlan": 40})))
    assert (other.ranges, other.untagged, other.plugin) == ((), False, "sriov")
    result = verify([snap("ens34", {40: Cell(1, 64)})], [other])
    assert result.unmapped == (40,)
    assert [n.name for n in result.other_nads] == ["vms/sriov"]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("{not json", "spec.config: spec.config is not valid JSON"),
        ("[1, 2]", "spec.config: spec.config must be a JSON object"),
        (None, "spec.config: no spec.config"),
    ],
)
def test_nad_without_a_usable_config_is_bad_input(config: str | None, problem: str) -> None:
    body = nad("bad", {})
    body["spec"] = {} if config is None else {"config": config}
    expected = rf"^nads\.yaml:3: NAD vms/bad: {re.escape(problem)}"
    with pytest.raises(BadInputError, match=expected):
        nad_vlans(doc(body))


def test_read_nads_walks_a_directory_and_skips_other_kinds(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "nads").mkdir()
    (tmp_path / "nads" / "v40.yaml").write_text(yaml.safe_dump(nad("v40", bridge(vlan=40))))
    both = yaml.safe_dump_all([nad("v50", bridge(vlan=50), namespace="other"),
                               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}])
    (tmp_path / "more.yml").write_text(both)
    (tmp_path / "kustomization.yaml").write_text("resources: [nads/v40.yaml, more.yml]\n")
    (tmp_path / "README.md").write_text("# not a manifest\n")
    got = read_nads(tmp_path)
    assert [(n.name, n.ranges, n.source) for n in got] == [
        ("other/v50", ((50, 50),), "more.yml:1"), ("vms/v40", ((40, 40),), "nads/v40.yaml:1")]


def test_verify_cli_reports_bad_plan_dirs_in_one_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.yaml").write_text("kind: [unclosed\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    for plan, expected in ((tmp_path, "broken.yaml:2: not valid YAML/JSON"),
                           (tmp_path / "other", "no NetworkAttachmentDefinition found"),
                           (empty, "holds no *.yaml, *.yml or *.json file"),
                           (tmp_path / "missing", "missing: no such directory")):
        with pytest.raises(SystemExit) as exit_info:
            main(["verify", str(plan), "lo"])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("trunkline: error: ") and expected in err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_verify_cli_refuses_an_unknown_hook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", str(tmp_path), "lo", "--hook", "kprobe"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--hook': Value error, 'kprobe' is not one of 'tc', 'xdp'." in err


def test_swapped_arguments_say_plan_dir_comes_first(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for args, expected in (
        (["lo", str(tmp_path)], f"lo is an interface and {tmp_path} a directory: the arguments are "
                                f"PLAN_DIR IFACE...; run `trunkline verify {tmp_path} lo`"),
        (["lo", "eth9"], "lo is an interface, not a plan directory: the arguments are PLAN_DIR IFACE...; "
                         "run `trunkline verify PLAN_DIR lo eth9`"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(["verify", *args])
        assert exit_info.value.code == 2
        assert capsys.readouterr().err == f"trunkline: error: {expected}\n"


def test_table_says_1_packet_not_1_packets() -> None:
    import io

    from rich.console import Console

    from trunkline.cli.verify import render_table

    result = verify([snap("ens34", {None: Cell(1, 60), 40: Cell(2, 128)})],
                    [NadVlans("vms/v40", ranges=((40, 40),))])
    screen = io.StringIO()
    render_table(result, Console(file=screen, width=120, color_system=None))
    assert screen.getvalue().splitlines()[-1] == "untagged: 1 packet, 60 bytes (often the node's own traffic)"


@pytest.mark.parametrize(("args", "expected"), [
    (["--prometheus", "http://[::1"], "--prometheus 'http://[::1' is not a valid URL (Invalid IPv6 URL); "
                                      "give e.g. http://[::1]:9090"),
    (["--prometheus", "http://h:99999"], "--prometheus 'http://h:99999' is not a valid URL (Port out of "
                                         "range 0-65535)"),
    (["--prometheus", "http://exa mple.com"], "--prometheus 'http://exa mple.com' holds a space or control "
                                              "character; give the URL without it"),
    (["--prometheus", "http://h/a\nb"], "--prometheus 'http://h/a\\nb' holds a space or control character"),
    (["--prometheus", "http://h", "--window", "400d"], "--window 400d is longer than 365d"),
    (["lo", "--duration", "inf"], "Invalid value for '--duration': Input should be less than or equal to "
                                  "604800"),
    (["lo", "--duration", "1e300"], "Invalid value for '--duration': Input should be less than or equal to"),
    (["lo", "--duration", "1e12"], "Invalid value for '--duration': Input should be less than or equal to"),
    (["lo", "--duration", "nan"], "Invalid value for '--duration': Input should be"),
])
def test_out_of_range_numbers_and_urls_are_one_line_of_bad_input(
        args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    plan = Path(__file__).parent  # a directory without NADs: these are refused before it is read
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", str(plan), *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("trunkline: error: ") and expected in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
