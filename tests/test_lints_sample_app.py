"""The sample app's seeded defects that ComfyUI accepts are caught by exactly the intended lint code.

Rendered with the project's own configuration (``comfy-contract.yaml``: the bundled sample app, the
production and standalone backends) - see ``fixtures/sample_app/DEFECTS.md`` for the table of defects.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from comfy_contract.check.contracts import ContractSet
from comfy_contract.check.lints import run_lints, run_project_lints
from comfy_contract.check.project import load_project
from comfy_contract.core.findings import Finding
from comfy_contract.render.devserver import DevserverGenerator, DevserverOptions
from comfy_contract.render.model import MODES, Rendered
from comfy_contract.validation.catalog import Catalog

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "fixtures" / "sample_app" / "schemas"

#: DEFECTS.md row → (config, lint codes on production in every mode)
SEEDED = {
    "#1 output chunk named by the pipeline: the generator's SD3.5 graph, empty prompt": ("vector_fusion_linear_clip",
                                                                                        {"L001"}),
    "#20 a proxy naming no output chunk: the same SD3.5 graph for an audio config": ("stableaudio_legacy",
                                                                                    {"L001", "L010"}),
    "#5 seed -1 without mapping (also rejected: V016)": ("sdxl_base", {"L006"}),
    "#9 mapping to a missing node: positive prompt stays empty": ("sd35_large_landscape", {"L001"}),
    "#10 prompt injected into an orphan encoder": ("sd35_large_styled", {"L003"}),
    "#12 seed never varies": ("sd35_large_poster", {"L006"}),
    "#13 filename_prefix shared with the turbo chunk": ("sd35_large_portrait", {"L005"}),
    "#13 filename_prefix shared with the portrait chunk": ("sd35_large_turbo", {"L005"}),
    "#11 unresolvable {{PART_A}} source (app semantics: R004 at render, no lint)": ("dual_encoder_fusion_split",
                                                                                   set()),
}
CLEAN = ("sd35_large", "sd35_diffusers", "sdxl_dualclip", "stable_audio_open", "vector_fusion_spherical",
         "dual_encoder_fusion_image", "dada", "expressionismus", "jugendstil", "klangbild", "kubismus", "pixel_art",
         "u_lena_meine_collage")


@pytest.fixture(scope="module")
def backends() -> dict[str, Catalog]:
    return load_project(REPO / "comfy-contract.yaml").backends()


def render_all(options: DevserverOptions | None = None) -> list[Rendered]:
    gen = DevserverGenerator(SCHEMAS, options)
    return [gen.render(config, mode) for config in gen.configs() for mode in MODES]


@pytest.fixture(scope="module")
def rendered() -> list[Rendered]:
    return render_all()


def lint_codes(outcomes: Iterable[Rendered], backends: dict[str, Catalog], backend: str,
               config: str) -> dict[str, set[str]]:
    """Lint codes per mode for one config (per-submission lints on ``backend`` plus project lints)."""
    outcomes = list(outcomes)
    project = run_project_lints(outcomes)
    out: dict[str, set[str]] = {}
    for r in outcomes:
        if r.config != config:
            continue
        found: list[Finding] = list(project.get((r.config, r.mode), ()))
        for sub in r.submissions:
            found += run_lints(sub, r, backends[backend], backend=backend, backends=backends)
        out[r.mode] = {f.code for f in found}
    return out


@pytest.mark.parametrize(("config", "codes"), list(SEEDED.values()), ids=list(SEEDED))
def test_seeded_defect_caught_by_exactly_the_intended_lint(
        rendered: list[Rendered], backends: dict[str, Catalog], config: str, codes: set[str]) -> None:
    assert lint_codes(rendered, backends, "production", config) == dict.fromkeys(MODES, codes)


def test_unresolvable_source_is_l011_under_the_corrected_renderer(backends: dict[str, Catalog]) -> None:
    corrected = render_all(DevserverOptions(typed_templates=True, resolve_sources=True))
    found = lint_codes(corrected, backends, "production", "dual_encoder_fusion_split")
    assert found == {mode: {"L011"} for mode in MODES}


@pytest.mark.parametrize("config", CLEAN)
def test_clean_configs_have_no_lint_findings_on_production(
        rendered: list[Rendered], backends: dict[str, Catalog], config: str) -> None:
    assert lint_codes(rendered, backends, "production", config) == {mode: set() for mode in MODES}


def test_bauhaus_is_clean_in_eco_only(rendered: list[Rendered], backends: dict[str, Catalog]) -> None:
    # fast mode renders the turbo chunk (#4), which shares its filename_prefix with portrait (#13)
    assert lint_codes(rendered, backends, "production", "bauhaus") == {"eco": set(), "fast": {"L005"}}


@pytest.mark.parametrize(
    ("config", "code"),
    [("vector_fusion_spherical", "L007"), ("dual_encoder_fusion_image", "L007"), ("sd35_large", "L008"),
     ("dada", "L008")],
)
def test_standalone_lacks_what_production_has(
        rendered: list[Rendered], backends: dict[str, Catalog], config: str, code: str) -> None:
    for codes in lint_codes(rendered, backends, "standalone", config).values():
        assert code in codes
    r = next(r for r in rendered if r.config == config)
    found = [f for s in r.submissions for f in run_lints(s, r, backends["standalone"], backend="standalone",
                                                            backends=backends) if f.code == code]
    assert found[0].expected == ["production"]


def test_repo_contracts_on_the_sample_app(rendered: list[Rendered], backends: dict[str, Catalog]) -> None:
    contracts = ContractSet.load(REPO / "contracts" / "configs", root=REPO)
    found = {(r.config, r.mode): {f.code for f in contracts.check_rendered(r, catalog=backends["production"])}
             for r in rendered}
    assert found[("vector_fusion_linear_clip", "eco")] == {"C001"}
    assert found[("vector_fusion_latent_aware", "fast")] == set()  # the app fails first: R006, not a contract
    assert found[("sd35_large_styled", "eco")] == {"C003"}
    assert found[("sd35_large_landscape", "eco")] == {"C003"}
    for config in CLEAN:
        assert found[(config, "eco")] == set(), config
    assert contracts.unused([r.config for r in rendered]) == ()
