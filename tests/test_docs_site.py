"""The documentation site: it builds with warnings as errors, its CLI reference is what typer generates,
the README's links land inside the repository, and no page speaks of the project's own history.

The site's own link check (docs/conf.py) fails the build for a relative link that leaves the repository
or names no file; MyST fails it for a missing page or section.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: The page typer's generator writes (`make cli-docs`).
CLI_PAGE = DOCS / "cli.md"
#: The pages the site must have (more may come; the build fails for a page no toctree reaches).
PAGES = ["index", "inventory", "plan", "validate", "count", "metrics", "verify", "lab", "benchmarks",
         "development", "design", "cli"]


def generate_cli_page(out: Path) -> subprocess.CompletedProcess[str]:
    """Run `make cli-docs` (typer's documentation generator over trunkline's CLI), writing to *out*."""
    venv = Path(sys.executable).parent.parent
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "cli-docs", f"VENV={venv}",
                           f"CLI_DOC={out}"], capture_output=True, text=True, timeout=120)


def test_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
         str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    built = {p.stem for p in (tmp_path / "html").glob("*.html")}
    assert sorted(set(PAGES) - built) == []


def test_site_build_fails_on_a_link_leaving_the_repository(tmp_path: Path) -> None:
    """A copy of the pages with one link to ../shared (outside the repository) and one to a missing file."""
    src = tmp_path / "repo" / "docs"
    src.mkdir(parents=True)
    for page in DOCS.iterdir():
        if page.is_file():
            (src / page.name).write_bytes(page.read_bytes())
    with (src / "lab.md").open("a", encoding="utf-8") as handle:
        handle.write("\nSee [the notes](../../shared/notes.md) and [the list](missing.yaml).\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(src),
         str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode != 0
    assert "lab.md:" in proc.stderr
    assert "link ../../shared/notes.md leaves the repository" in proc.stderr
    assert "link missing.yaml names no file" in proc.stderr


def test_cli_reference_is_what_typer_generates(tmp_path: Path) -> None:
    proc = generate_cli_page(tmp_path / "cli.md")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cli.md").read_text(encoding="utf-8") == CLI_PAGE.read_text(encoding="utf-8"), (
        "docs/cli.md is out of date: regenerate it with `make cli-docs`"
    )


def test_readme_links_point_at_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert targets
    for target in targets:
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue
        resolved = (ROOT / target.split("#", 1)[0]).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), target


def test_readme_stays_short() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_no_page_or_help_text_speaks_of_seeds_or_issues() -> None:
    """Users read the README, the pages and the help texts (docs/cli.md holds every help text)."""
    word = re.compile(r"\b(seeds?|issues?)\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if word.search(line)
    ]
    assert found == []
