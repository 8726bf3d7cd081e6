"""The examples the README and the documentation pages show are what trunkline prints today.

Every fenced ``console`` block in README.md and docs/*.md (except docs/cli.md, typer's usage lines) is a
checked example: each ``$ COMMAND`` line runs in bash and the lines below it, up to the next ``$`` line,
are its output (stdout and stderr as a terminal shows them, 80 columns). Blocks of one page share a
working directory, so a page can plan into ``out/`` and validate ``out/`` afterwards; ``docs/`` there is
the repository's. Only commands that need no root and no cluster belong in ``console`` blocks
(``plan``, ``inventory show``, ``validate``, ``--help``, plus shell tools to edit files); examples of
``count``, ``verify`` and ``lab`` use ``sh`` blocks. The README's Mermaid picture is checked against the
one ``trunkline plan`` draws for the bundled example design, and the README's one example per command
runs (exit 0).

Only paths (the working directory, the repository) and timestamps are normalised, and trailing blanks
(rich pads table cells; nobody sees them) are dropped.

When output changes on purpose, refresh every expected block in place and review the diff:

    TRUNKLINE_UPDATE_EXAMPLES=1 .venv/bin/python -m pytest tests/test_docs_examples.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, cli_env

UPDATE = os.environ.get("TRUNKLINE_UPDATE_EXAMPLES") == "1"
#: Pages whose console blocks are checked (docs/cli.md is typer's output: usage lines, not examples).
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "cli.md")]
#: What a checked example may run: trunkline without root or a cluster, and file tools.
ALLOWED = re.compile(r"^(trunkline (plan|validate|inventory (show|schema))\b|trunkline( \S+)* --help\b"
                     r"|sed |cat |head |tail |cp |rm |mkdir |#)")
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?\b")


@dataclass
class Block:
    """One fenced block of a page: its language, body lines and where they sit (0-based, end exclusive)."""

    page: Path
    lang: str
    start: int
    end: int
    lines: list[str]


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of *page* (``` fences, as the pages use)."""
    found, lines = [], page.read_text(encoding="utf-8").splitlines()
    opened: tuple[int, str] | None = None
    for number, line in enumerate(lines):
        if line.startswith("```"):
            if opened is None:
                opened = (number, line[3:].strip())
            else:
                found.append(Block(page, opened[1], opened[0] + 1, number, lines[opened[0] + 1:number]))
                opened = None
    return found


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) pairs of a console block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in block.lines:
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
        else:
            where = f"{block.page.name}:{block.start + 1}"
            raise AssertionError(f"{where}: a console block starts with `$ COMMAND`")
    return [(cmd, _trim(out)) for cmd, out in pairs]


def _trim(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def normalise(text: str, workdir: Path) -> list[str]:
    text = text.replace(f"{workdir}/", "").replace(str(workdir), ".")
    text = text.replace(f"{ROOT}/", "").replace(str(ROOT), ".")
    return _trim(_TIMESTAMP.sub("<time>", text).splitlines())


def environment(tmp_path: Path) -> dict[str, str]:
    """A shell environment where ``trunkline`` is this checkout's, at 80 columns, without colour."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "trunkline"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m trunkline "$@"\n')
    wrapper.chmod(0o755)
    env = cli_env()
    env.update(PATH=f"{bin_dir}:{env['PATH']}", COLUMNS="80", TERM="dumb", NO_COLOR="1", PYTHONUNBUFFERED="1")
    env.pop("FORCE_COLOR", None)
    return env


def run(command: str, workdir: Path, env: dict[str, str]) -> list[str]:
    proc = subprocess.run(["bash", "-c", command], cwd=workdir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=120)
    return normalise(proc.stdout, workdir)


def rewrite(page: Path, replacements: list[tuple[Block, list[str]]]) -> None:
    """Replace the bodies of *page*'s blocks (bottom up, so earlier line numbers stay valid)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for block, body in sorted(replacements, key=lambda r: -r[0].start):
        lines[block.start:block.end] = body
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")


def console_pages() -> list[Path]:
    return [p for p in PAGES if any(b.lang == "console" for b in blocks(p))]


@pytest.mark.parametrize("page", console_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_console_examples_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "docs").symlink_to(ROOT / "docs")
    env = environment(tmp_path)
    mismatches, refreshed = [], []
    for block in (b for b in blocks(page) if b.lang == "console"):
        body: list[str] = []
        for command, expected in commands(block):
            assert ALLOWED.match(command), (
                f"{page.name}:{block.start + 1}: `{command}` needs root or a cluster: show it in a sh block"
            )
            actual = [] if command.startswith("#") else run(command, workdir, env)
            body += [f"$ {command}", *actual]
            if actual != expected:
                mismatches.append(f"{page.name}:{block.start + 1}: $ {command}\n" + "\n".join(actual))
        refreshed.append((block, body))
    if UPDATE:
        rewrite(page, refreshed)
        return
    assert not mismatches, (
        "output differs from the page (refresh with TRUNKLINE_UPDATE_EXAMPLES=1); today it is:\n\n"
        + "\n\n".join(mismatches)
    )


def test_readme_picture_is_the_report_diagram_of_the_bundled_example(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "trunkline", "plan", "-o", str(tmp_path / "plan")],
                          capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = blocks(tmp_path / "plan" / "REPORT.md")
    drawn = [b.lines for b in report if b.lang == "mermaid"]
    readme = ROOT / "README.md"
    shown = [b for b in blocks(readme) if b.lang == "mermaid"]
    assert len(drawn) == 1 and len(shown) == 1
    if UPDATE:
        rewrite(readme, [(shown[0], drawn[0])])
        return
    assert shown[0].lines == drawn[0], "README's picture differs (refresh with TRUNKLINE_UPDATE_EXAMPLES=1)"


def test_readme_command_examples_run(tmp_path: Path) -> None:
    """The README's one example per command, in order, on an RVTools export of the bundled example design.

    The examples that need root (`sudo`: count, verify, lab) are only checked to name those commands.
    Output is not compared (the console blocks do that); each must exit 0.
    """
    from tests.support.rvtools_corpus import seed_rows, write_workbook

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Commands\n", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"^  `((?:sudo )?trunkline [^`]+)`$", section, re.MULTILINE)
    assert [e.split()[1 if e.startswith("trunkline") else 2] for e in examples] == [
        "inventory", "plan", "validate", "count", "verify", "lab"
    ]
    workdir = tmp_path / "work"
    workdir.mkdir()
    write_workbook(workdir / "RVTools_export_all.xlsx", seed_rows())
    (workdir / "nns.yaml").write_bytes((ROOT / "docs" / "examples" / "nns.yaml").read_bytes())
    env = environment(tmp_path)
    for example in (e for e in examples if not e.startswith("sudo ")):
        proc = subprocess.run(["bash", "-c", example], cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, f"{example}\n{proc.stdout}{proc.stderr}"
