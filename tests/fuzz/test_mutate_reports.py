"""``hunt --mutate`` done when (issue 16): a seeded blind spot is found and shrunk to one key edit, replayed, and
closed by the contract it suggests; the score per config and overall in every report format; same seed, same
run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from clirun import run
from comfy_contract.check.engine import suite_from_project
from comfy_contract.check.project import load_project
from comfy_contract.fuzz.mutate import MutationOptions, MutationReport, mutation_campaign
from comfy_contract.fuzz.mutation_report import MUTATION_FORMATS, render_mutation
from fuzzproject import make_project
from junitxml import assert_strict_junit

REPO = Path(__file__).resolve().parents[2]
FALLBACK = ("drop-key", "chunks/output_image_sd35_diffusers.json", "/meta/fallback_chunk", "drop 'fallback_chunk'")


@pytest.fixture(scope="module")
def blind_spot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample app without snapshots and contracts (fuzzproject.make_project): ``sd35_diffusers``, whose
    Diffusers chunk falls back to a ComfyUI workflow while the GPU service is down, has nothing that looks at
    its route - dropping ``fallback_chunk`` makes it submit nothing, and no check says so."""
    return make_project(tmp_path_factory.mktemp("blind"))


@pytest.fixture(scope="module")
def report(blind_spot: Path) -> MutationReport:
    suite = suite_from_project(load_project(blind_spot), root=blind_spot.parent)
    return mutation_campaign(suite, MutationOptions(seconds=None, examples=3000, seed=1,
                                                    configs=("sd35_diffusers",)))


def test_the_fallback_edit_is_found_and_shrunk_to_one_key(report: MutationReport) -> None:
    assert FALLBACK in report.shrunk  # Hypothesis returned it: the simplest edit of that file that survives
    (fallback,) = [r for r in report.survivors if r.mutant.key == FALLBACK]
    (outcome,) = fallback.outcomes
    assert "outcome workflow (1 submission(s)) -> backend (0 submission(s)" in outcome.diff
    assert "submits_workflow: true" in outcome.fix
    edit = report.edit(fallback)
    assert edit is not None
    assert (edit.file, edit.before, edit.removed) == (
        "schemas/chunks/output_image_sd35_diffusers.json", "output_image_sd35_large", True)
    assert edit.line == 41
    changed = [line for line in edit.file_diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("---", "+++"))]
    assert changed == ['-    "fallback_chunk": "output_image_sd35_large",']  # one key, nothing else
    # the recase of the same key survives too, but the shrunk one comes first
    assert report.survivors.index(fallback) < len(report.shrunk)


def test_cli_writes_the_survivor_and_the_suggested_contract_kills_it(tmp_path: Path) -> None:
    blind_spot = make_project(tmp_path)  # its own copy: a contract is added below
    where = tmp_path
    code, out, err = run("hunt", "--mutate", "--config", "sd35_diffusers", "--operator", "drop-key", "--budget",
                         "500", "--seed", "1", cwd=where)
    assert code == 1, err
    assert "SURVIVED F003 schemas/chunks/output_image_sd35_diffusers.json:41 /meta/fallback_chunk" in out
    survivor = next((where / ".comfy-contract" / "mutants").glob("chunks__output_image_sd35_diffusers.json.*"))
    command = json.loads(survivor.read_text("utf-8"))["replay"]
    assert f"Replay with: {command}" in out
    assert run(*command.split()[1:], cwd=where)[0] == 1  # still survives
    # the suggested fix: a contract saying the config must submit a ComfyUI workflow
    (where / "contracts").mkdir()
    (where / "contracts" / "submits.yaml").write_text(
        "contracts:\n  - match: sd35_diffusers\n    submits_workflow: true\n", "utf-8")
    data = yaml.safe_load(blind_spot.read_text("utf-8"))
    blind_spot.write_text(yaml.safe_dump({**data, "contracts": "contracts"}), "utf-8")
    code, out, err = run(*command.split()[1:], cwd=where)
    assert code == 0, out + err
    assert out.startswith("killed now (the gate notices it): ")
    assert "C008" in out


def test_same_seed_same_run(blind_spot: Path, report: MutationReport) -> None:
    suite = suite_from_project(load_project(blind_spot), root=blind_spot.parent)
    again = mutation_campaign(suite, MutationOptions(seconds=None, examples=3000, seed=1,
                                                     configs=("sd35_diffusers",)))
    assert [(r.mutant.key, r.verdict) for r in again.results] == [(r.mutant.key, r.verdict) for r in report.results]
    assert again.shrunk == report.shrunk


def test_every_format_carries_the_scores_and_the_survivors(report: MutationReport) -> None:
    assert MUTATION_FORMATS == ("text", "json", "junit", "sarif", "markdown", "github", "html")
    score = f"{report.score:.0%}"
    per = report.per_config()[0]
    assert per.config == "sd35_diffusers"
    # JUnit: one test case per config, failing with F003 while an edit survives
    root = ET.fromstring(render_mutation(report, "junit").encode("utf-8"))
    assert_strict_junit(root)
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["mutation_score"] == score
    (case,) = root.iter("testcase")
    assert case.get("name") == "sd35_diffusers"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "F003"
    assert f"mutation score {per.score:.0%}" in (case.findtext("system-out") or "")
    # SARIF: valid 2.1.0, one F003 result per surviving (edit, config) at the edited line
    sarif = json.loads(render_mutation(report, "sarif"))
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    (run_,) = sarif["runs"]
    assert run_["properties"]["mutationScore"] == report.score
    assert run_["properties"]["configs"][0]["config"] == "sd35_diffusers"
    assert len(run_["results"]) == report.count("survived")
    located = [r for r in run_["results"] if r["properties"]["pointer"] == "/meta/fallback_chunk"
               and r["properties"]["operator"] == "drop-key"]
    assert located[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "schemas/chunks/output_image_sd35_diffusers.json", "uriBaseId": "PROJECTROOT"},
        "region": {"startLine": 41}}
    # GitHub: an error annotation per survivor at file and line, notices with the scores
    github = render_mutation(report, "github").splitlines()
    assert "::error file=schemas/chunks/output_image_sd35_diffusers.json,line=41,title=F003 mutant survived " \
           "(sd35_diffusers)::" in "\n".join(github)
    assert github[-2].startswith("::notice title=comfy-contract mutation score per config::sd35_diffusers: ")
    assert f"mutation score {score}" in github[-1]
    # Markdown and HTML: the score table and the survivors
    markdown = render_mutation(report, "markdown")
    assert f"| `sd35_diffusers` | {per.score:.0%} | {per.killed} | {per.survived} | {per.equivalent} |" in markdown
    assert "/meta/fallback_chunk" in markdown
    page = render_mutation(report, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert f"Mutation score {score}" in page
    assert "drop &#x27;fallback_chunk&#x27;" in page
    # text and JSON (the first version's formats)
    assert f"mutation score {score}" in render_mutation(report, "text")
    assert json.loads(render_mutation(report, "json"))["score"] == report.score


def test_formats_through_the_cli(blind_spot: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "mut.md"
    code, out, err = run("hunt", "--mutate", "--config", "sd35_diffusers", "--operator", "recase-key", "--budget",
                         "300", "--seed", "1", "--format", "markdown", "--output", str(out_file), "--write",
                         f"sarif={tmp_path / 'mut.sarif'}", "--write", f"junit={tmp_path / 'mut.xml'}",
                         "--survivor-dir", str(tmp_path / "survivors"), cwd=blind_spot.parent)
    assert code == 1, err
    assert out == ""
    assert "mutation score" in err
    assert out_file.read_text("utf-8").startswith("## comfy-contract hunt --mutate")
    assert json.loads((tmp_path / "mut.sarif").read_text("utf-8"))["runs"][0]["results"]
    assert ET.fromstring((tmp_path / "mut.xml").read_bytes()).tag == "testsuites"
    assert list((tmp_path / "survivors").glob("*.json"))
    code, _, err = run("hunt", "--mutate", "--write", "pdf=x.pdf", "--project", str(blind_spot))
    assert code == 2
    assert "FORMAT=FILE" in err
    code, _, err = run("hunt", "--write", "sarif=x.sarif", "--project", str(blind_spot))
    assert code == 2
    assert "go with --mutate" in err
    code, _, err = run("hunt", "--mutate", "--jobs", "0", "--project", str(blind_spot))
    assert code == 2
    assert "--jobs 0 must be at least 1" in err


def test_jobs_split_the_configs_and_merge_into_the_same_report(blind_spot: Path) -> None:
    args = ("hunt", "--mutate", "--config", "sd35_large*", "--operator", "drop-key", "--operator", "swap-name",
            "--budget", "3000", "--seed", "1", "--format", "json")
    code1, one, err1 = run(*args, "--survivor-dir", str(blind_spot.parent / "s1"), cwd=blind_spot.parent)
    code2, two, err2 = run(*args, "--jobs", "2", "--survivor-dir", str(blind_spot.parent / "s2"),
                           cwd=blind_spot.parent)
    assert (code1, code2) == (1, 1), err1 + err2
    a, b = json.loads(one), json.loads(two)
    assert "job 1/2" in err2
    assert "job 2/2" in err2
    assert a["total_mutants"] == b["total_mutants"] == a["mutants"] == b["mutants"]  # everything classified
    assert a["configs"] == b["configs"]  # the same per-config scores
    assert {(r["file"], r["path"], r["description"], r["verdict"]) for r in a["results"]} == \
        {(r["file"], r["path"], r["description"], r["verdict"]) for r in b["results"]}
    assert sorted(p.name for p in (blind_spot.parent / "s1").iterdir()) == \
        sorted(p.name for p in (blind_spot.parent / "s2").iterdir())
