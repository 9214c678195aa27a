"""``hunt --mutate``: edits to the sample app's files, classified against the real gate (issue 16)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from clirun import run
from comfy_contract.check.engine import suite_from_project
from comfy_contract.check.project import load_project
from comfy_contract.fuzz.mutate import (
    Mutant,
    MutationOptions,
    Mutator,
    enumerate_mutants,
    mutation_campaign,
    mutation_text,
)

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "comfy-contract.yaml"


@pytest.fixture(scope="module")
def mutator() -> Mutator:
    project = load_project(PROJECT)
    return Mutator(suite_from_project(project, root=REPO))


def _one(mutator: Mutator, operator: str, file: str, path: str) -> Mutant:
    found = enumerate_mutants(mutator.tree, (operator,), (file,))[operator][file]
    matches = [m for m in found if m.path == path]
    assert matches, [m.path for m in found]
    return matches[0]


def test_dropping_output_chunk_is_killed(mutator: Mutator) -> None:
    m = _one(mutator, "drop-key", "configs/output/sd35_large.json", "/parameters/OUTPUT_CHUNK")
    result = mutator.classify(m, ["sd35_large"])
    assert result.verdict == "killed"
    (outcome,) = result.outcomes
    assert any(f.startswith("R006") for f in outcome.new_findings), outcome.new_findings  # chunk not found


def test_uncovered_literal_survives_with_diff_and_fix(mutator: Mutator) -> None:
    m = _one(mutator, "change-literal", "configs/dual_encoder_fusion_split.json", "/parameters/STEPS")
    result = mutator.classify(m)
    assert result.verdict == "survived"
    (outcome,) = [o for o in result.outcomes if o.config == "dual_encoder_fusion_split"]
    assert "KSampler.steps" in outcome.diff
    assert "28" in outcome.diff
    assert "ranges: {KSampler.steps" in outcome.fix
    assert "snapshot" in outcome.fix


def test_description_edit_is_equivalent(mutator: Mutator) -> None:
    mutants = enumerate_mutants(mutator.tree, ("edit-text",), ("configs/output/sd35_large.json",))
    (m,) = mutants["edit-text"]["configs/output/sd35_large.json"]
    result = mutator.classify(m)
    assert result.verdict == "equivalent"
    assert result.outcomes
    assert all(o.verdict == "equivalent" for o in result.outcomes)


def test_mutants_are_applied_in_memory(mutator: Mutator) -> None:
    m = _one(mutator, "drop-key", "configs/output/sd35_large.json", "/parameters/OUTPUT_CHUNK")
    on_disk = json.loads((mutator.tree.root / m.file).read_text(encoding="utf-8"))
    assert "OUTPUT_CHUNK" in on_disk["parameters"]
    assert "OUTPUT_CHUNK" not in m.data["parameters"]
    assert "OUTPUT_CHUNK" in mutator.tree.configs["sd35_large"].data["parameters"]  # type: ignore[index]


def test_every_operator_finds_targets_in_the_sample_app(mutator: Mutator) -> None:
    from comfy_contract.fuzz.mutate import OPERATORS

    mutants = enumerate_mutants(mutator.tree)
    assert [op.name for op in OPERATORS if not mutants.get(op.name)] == []


def test_campaign_scores_per_config_and_shrinks_survivors() -> None:
    suite = suite_from_project(load_project(PROJECT), root=REPO)
    report = mutation_campaign(suite, MutationOptions(seconds=None, examples=400, seed=1,
                                                      configs=("dual_encoder_fusion_split",),
                                                      operators=("change-literal", "edit-text")))
    assert report.survivors
    scores = {c.config: c for c in report.per_config()}
    assert set(scores) == {"dual_encoder_fusion_split"}
    score = scores["dual_encoder_fusion_split"]
    assert score.survived > 0
    assert score.equivalent > 0
    data = report.to_dict()
    assert data["survived"] == len(report.survivors)
    assert data["configs"][0]["config"] == "dual_encoder_fusion_split"
    text = mutation_text(report)
    assert "SURVIVED" in text
    assert "suggested fix:" in text
    assert "mutation score" in text


def test_cli_exit_codes() -> None:
    code, out, err = run("hunt", "--mutate", "--project", str(PROJECT), "--config", "sd35_large", "--budget", "60s",
                         "--seed", "1", "--operator", "drop-key")
    assert code == 0, out + err
    assert "sd35_large: 100%" in out
    assert "seed 1" in err
    code, out, _ = run("hunt", "--mutate", "--project", str(PROJECT), "--config", "dual_encoder_fusion_split",
                       "--budget", "300", "--seed", "1", "--operator", "change-literal", "--format", "json")
    assert code == 1
    assert json.loads(out)["survivors"]
    assert run("hunt", "--max-mutants", "3", "--project", str(PROJECT))[0] == 2
    assert run("hunt", "--mutate", "--config", "nope", "--project", str(PROJECT), "--budget", "5")[0] == 2
    assert run("hunt", "--mutate", "--max-mutants", "0", "--project", str(PROJECT))[0] == 2


def test_a_config_that_stops_submitting_is_killed_by_submits_workflow(mutator: Mutator) -> None:
    """Dropping the chunk's ``backend_type`` makes the image configs submit nothing (outcome text): the
    sample app's contract ``submits_workflow: true`` (contracts/configs/submits_workflow.yaml) kills it (C008)."""
    m = _one(mutator, "drop-key", "chunks/output_image.json", "/backend_type")
    result = mutator.classify(m, ["bauhaus"])
    (outcome,) = result.outcomes
    assert outcome.verdict == "killed"
    assert any(f.startswith("C008") for f in outcome.new_findings), outcome.new_findings


def test_without_the_contract_it_survives_unless_fail_on_info(project_copy: Path) -> None:
    """The same edit on a copy without contracts and snapshots: no check compares outcomes, so it survives
    at --fail-on error with the contract rule as the suggested fix; R010 kills it at --fail-on info."""
    from comfy_contract.core.findings import Severity

    suite = suite_from_project(load_project(project_copy), root=project_copy.parent)
    results = {}
    for fail_on in (Severity.ERROR, Severity.INFO):
        mut = Mutator(suite, fail_on=fail_on)
        m = _one(mut, "drop-key", "chunks/output_image.json", "/backend_type")
        results[fail_on] = mut.classify(m, ["bauhaus"])
    survived = results[Severity.ERROR].outcomes[0]
    assert survived.verdict == "survived"
    assert "outcome workflow (1 submission(s)) -> text (0 submission(s)" in survived.diff
    assert "submits_workflow: true" in survived.fix
    assert "C008" in survived.fix
    assert results[Severity.INFO].verdict == "killed"


def _two_prompts() -> dict[str, Any]:
    return {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["1", 1]}},
        "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["1", 1]}},
        "4": {"class_type": "VAELoader", "inputs": {"vae_name": "v.safetensors"}},
        "5": {"class_type": "KSampler", "inputs": {"model": ["1", 0], "positive": ["2", 0], "negative": ["3", 0]}},
        "6": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["1", 2]}},
    }


@pytest.mark.parametrize(
    ("node", "input_name", "link", "suggests_text_rule"),
    [
        ("5", "positive", ["3", 0], True),  # the user's text no longer reaches the sampler
        ("6", "vae", ["4", 0], False),  # no text travels on a VAE link: only a snapshot pins it
        ("5", "model", ["1", 0], False),
    ],
)
def test_a_rewired_link_suggests_user_text_inputs_only_where_the_text_travelled(
        node: str, input_name: str, link: list[Any], suggests_text_rule: bool) -> None:
    from types import SimpleNamespace

    from comfy_contract.fuzz.mutate import _suggest
    from comfy_contract.snapshot.diff import diff

    before = _two_prompts()
    after = copy.deepcopy(before)
    after[node]["inputs"][input_name] = link
    if before == after:  # rewiring model to its own source: use another slot so that something changes
        after[node]["inputs"][input_name] = ["4", 0]
    d = diff(before, after)
    fix = _suggest("c", "eco", d, SimpleNamespace(suite=SimpleNamespace(snapshots=None)),  # type: ignore[arg-type]
                   before, ["a red fox"])
    assert ("user_text_inputs" in fix) is suggests_text_rule, fix
    assert "an approved snapshot" in fix


def test_a_survivor_of_a_workflow_comfyui_rejects_as_a_whole_says_so(project_copy: Path) -> None:
    """Without the custom-node pack every backend answers V002 for the fusion graph: no node-level finding can
    appear, so a survivor there is an artefact and says so (found on the real DevServer's legacy configs)."""
    import yaml

    data = yaml.safe_load(project_copy.read_text(encoding="utf-8"))
    for backend in data["backends"].values():
        backend["catalogs"] = [c for c in backend["catalogs"] if "packs" not in c]
    project_copy.write_text(yaml.safe_dump(data), encoding="utf-8")
    mutator = Mutator(suite_from_project(load_project(project_copy), root=project_copy.parent))
    m = _one(mutator, "change-literal", "configs/vector_fusion_spherical.json", "/parameters/STEPS")
    (outcome,) = mutator.classify(m, ["vector_fusion_spherical"]).outcomes
    assert outcome.verdict == "survived"
    assert "is already rejected as a whole by ComfyUI - V002 -" in outcome.fix
