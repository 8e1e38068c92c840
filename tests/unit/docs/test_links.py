"""Every link in the repository's Markdown stays inside the repository and leads somewhere.

A relative link must name a file or folder of this repository (a clone has nothing beside it), a
link to a section must name a heading that exists, and a path written as code that climbs out of
its folder (`../x`) must stay inside and exist. Web links (`https://...`) are not followed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[3]
SKIPPED = {".git", ".venv", ".cache", "var", "node_modules", "target", ".pytest_cache", ".hypothesis"}
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def markdown_files(root: Path = ROOT) -> list[Path]:
    """Every Markdown file of the repository, without walking into data, caches and dependencies."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        found += [Path(folder) / name for name in files if name.endswith(".md")]
    return sorted(found)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: dict[str, int] = {}
    names = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        name = slug(heading)
        count = found.get(name, 0)
        names.add(name if count == 0 else f"{name}-{count}")
        found[name] = count + 1
    return names


def targets(markdown: str) -> list[str]:
    prose = FENCE.sub("", markdown)
    linked = INLINE_CODE.sub(lambda m: "code", prose)
    return LINK.findall(linked) + REFERENCE.findall(linked)


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with the links of one Markdown file, one line per link."""
    text = path.read_text()
    problems = []
    for target in targets(text):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        if file_part.startswith("/"):
            problems.append(f"{target}: an absolute path (write it relative to {path.name})")
            continue
        resolved = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not resolved.is_relative_to(root):
            problems.append(f"{target}: points outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text()):
            problems.append(f"{target}: no heading with this anchor")
    for code in INLINE_CODE.findall(FENCE.sub("", text)):
        if code.startswith("../"):
            resolved = (path.parent / code.split()[0]).resolve()
            if not resolved.is_relative_to(root):
                problems.append(f"`{code}`: a path outside the repository")
            elif not resolved.exists():
                problems.append(f"`{code}`: no such file")
    return problems


def test_the_readme_and_the_docs_are_checked():
    names = {p.relative_to(ROOT).as_posix() for p in markdown_files()}
    assert {"README.md", "docs/API.md", "docs/DEVELOPING.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_resolves_inside_the_repository(path):
    assert broken_links(path) == []


def test_a_dead_link_an_outside_link_and_a_missing_anchor_are_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "OTHER.md").write_text("# Other\n\n## Some section\n")
    page = tmp_path / "docs" / "PAGE.md"
    page.write_text(
        "# Page\n\n[ok](OTHER.md#some-section) [here](#page) [web](https://example.com/x)\n"
        "[gone](MISSING.md) [out](../../elsewhere/README.md) [anchor](OTHER.md#nothing) [abs](/etc/hosts)\n"
        "`../../outside/FILE.md`, `../docs/OTHER.md` and `../docs/GONE.md`\n\n"
        "```\n[in a code block](NOT-CHECKED.md)\n```\n"
    )
    assert broken_links(page, tmp_path) == [
        "MISSING.md: no such file",
        "../../elsewhere/README.md: points outside the repository",
        "OTHER.md#nothing: no heading with this anchor",
        "/etc/hosts: an absolute path (write it relative to PAGE.md)",
        "`../../outside/FILE.md`: a path outside the repository",
        "`../docs/GONE.md`: no such file",
    ]


def test_headings_get_githubs_anchors():
    assert anchors("# The API\n## Seats: snapshot and live changes\n## Every endpoint\n## Every endpoint\n") == {
        "the-api",
        "seats-snapshot-and-live-changes",
        "every-endpoint",
        "every-endpoint-1",
    }
