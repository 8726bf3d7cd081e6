"""The help text: flags show no value type, arguments are upper-case metavars in one usage style."""

from __future__ import annotations

import itertools

import pytest

from trunkline.cli import main

COMMANDS = [[], ["count"], ["verify"], ["plan"], ["validate"], ["lab"], ["inventory"], ["inventory", "read"],
            ["inventory", "show"], ["inventory", "schema"]]


def help_text(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(("args", "usage"), [
    (["count"], "Usage: trunkline count [OPTIONS] [IFACE]..."),
    (["verify"], "Usage: trunkline verify [OPTIONS] PLAN_DIR [IFACE]..."),
    (["plan"], "Usage: trunkline plan [OPTIONS] [INVENTORY]"),
    (["validate"], "Usage: trunkline validate [OPTIONS] DIR"),
    (["lab"], "Usage: trunkline lab [OPTIONS] PLAN_DIR"),
    (["inventory", "show"], "Usage: trunkline inventory show [OPTIONS] [FILE]"),
])
def test_usage_lines_write_arguments_as_upper_case_metavars(args: list[str], usage: str,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line.strip() for line in help_text(args, capsys, monkeypatch).splitlines()]
    assert usage in lines


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "trunkline")
def test_flags_show_no_value_type(args: list[str], capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    text = help_text(args, capsys, monkeypatch)
    assert "<bool>" not in text
    assert "<str>" not in text and "<path>" not in text and "list[" not in text
    help_line = next(line for line in text.splitlines() if "--help" in line)
    assert help_line.split("│")[1].split() == ["--help", "-h", "Show", "this", "message", "and", "exit."]


def test_hook_shows_its_choices_in_count_and_verify(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for args, choices in ((["count"], "xdp|tc"), (["verify"], "tc|xdp")):
        line = next(line for line in help_text(args, capsys, monkeypatch).splitlines() if "--hook" in line)
        assert line.split("│")[1].split()[:2] == ["--hook", choices]


def test_multi_line_docstrings_are_joined_into_sentences(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = help_text([], capsys, monkeypatch)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "│ lab " in line)
    row = [lines[start].split("│")[1].split(None, 1)[1].strip()]
    more = itertools.takewhile(lambda line: line.startswith("│" + " " * 5), lines[start + 1:])
    row += [line.split("│")[1].strip() for line in more]
    assert " ".join(row) == (
        "Build the vSphere side, the OpenShift node and VMs from PLAN_DIR in network namespaces; check DHCP, "
        "ping across each VLAN, isolation and the trunk counter; tear everything down. Exit 1 when a check "
        "fails.")
