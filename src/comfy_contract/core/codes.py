"""The table of finding codes. Codes are stable: never renumbered, never reused.

Families: ``V`` ComfyUI ``/prompt`` validation, ``R`` rendering, ``L`` lints, ``C`` per-config
contracts, ``S`` snapshots and diffs, ``B`` baseline, ``F`` fuzzing, ``D`` drift from a live server.
``comfy-contract explain CODE`` prints an entry; ``docs/codes.md`` is generated from this table (a test
keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Severity

__all__ = ["CODES", "Code", "lookup", "render_markdown"]

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    title: str
    severity: Severity
    check: str
    explanation: str
    comfyui_type: str | None = None


_TABLE: tuple[Code, ...] = (
    # --- V: ComfyUI /prompt validation (one code per ComfyUI error type) -----------------------
    Code("V001", "missing-class-type", "A node has no class_type", E, "validate",
         "ComfyUI rejects the whole prompt (HTTP 400, `invalid_prompt`) when any node - reachable or not - "
         "lacks `class_type` (`missing_node_type` from ComfyUI 0.4 on, with the node's title). Often a stub "
         "node created by an input mapping to a node id that does not exist. Fix the mapping or the chunk's "
         "workflow.", "invalid_prompt"),
    Code("V002", "unknown-class-type", "A node's class_type is not installed", E, "validate",
         "ComfyUI rejects the whole prompt (HTTP 400, `invalid_prompt`) when any node's `class_type` is "
         "not in `/object_info` of the target install (`missing_node_type` from ComfyUI 0.4 on, unless a "
         "node replacement of the install rewrites it): a custom node pack is missing on that backend, or "
         "the name is misspelt. Install the pack on the backend or use a node it has.", "invalid_prompt"),
    Code("V003", "prompt-no-outputs", "The workflow has no output node", E, "validate",
         "ComfyUI only executes graphs that end in an output node (`output_node: true`, e.g. SaveImage). "
         "Add one, or check the `partial_execution_targets` of the request.", "prompt_no_outputs"),
    Code("V004", "outputs-failed-validation", "Every output failed validation", E, "validate",
         "The prompt-level error ComfyUI returns with HTTP 400 when no output node validated. The node "
         "errors listed with it say why.", "prompt_outputs_failed_validation"),
    Code("V005", "no-prompt", "The /prompt body has no `prompt`", E, "validate",
         "The request body must have a `prompt` key holding the API-format workflow.", "no_prompt"),
    Code("V006", "server-error", "ComfyUI would answer HTTP 500", E, "validate",
         "ComfyUI's handler raises an exception for this body (e.g. a node that is not an object, a "
         "non-numeric `number`) and answers `500 Internal Server Error` without a JSON body. The app "
         "sees no node errors at all. Fix the body's shape.", None),
    Code("V007", "not-api-format", "The body is outside the API-format schema", N, "validate",
         "The workflow or `/prompt` body does not match `contracts/schemas/prompt-request.schema.json` "
         "(e.g. a negative link index, a numeric node id in a link, a node without `inputs`). ComfyUI may "
         "still accept it - the verdict above is ComfyUI's - but it works by accident: write links as "
         "`[\"node_id\", slot]` with a non-negative slot and give every node `class_type` and `inputs`.",
         None),
    Code("V008", "invalid-prompt-id", "The body's prompt_id is not a canonical UUID", E, "validate",
         "ComfyUI (June 2026 on) rejects a `prompt_id` that is not a string in canonical lowercase "
         "hyphenated UUID form (`str(uuid.uuid4())`); older servers accept any value. Omit it, or send "
         "`str(uuid.uuid4())`.", "invalid_prompt_id"),
    Code("V010", "required-input-missing", "A required input is missing", E, "validate",
         "A required input of the node is neither linked nor given a value. ComfyUI does not fill in "
         "defaults for API prompts. Map a value to it or set it in the chunk.", "required_input_missing"),
    Code("V011", "bad-linked-input", "A link is not a [node_id, slot] pair", E, "validate",
         "Any JSON list in `inputs` is a link for ComfyUI and must have exactly two items. To pass a "
         "list as a literal wrap it as `{\"__value__\": [...]}`.", "bad_linked_input"),
    Code("V012", "return-type-mismatch", "A link connects incompatible types", E, "validate",
         "The upstream node's output type does not match the input's declared type.",
         "return_type_mismatch"),
    Code("V013", "inner-validation-exception", "Validating an upstream node raised", E, "validate",
         "ComfyUI raised while validating a linked node (the link points to a node id that does not "
         "exist, a slot index out of range, a node without `inputs`, recursion too deep). ComfyUI "
         "attaches this to the upstream node id.", "exception_during_inner_validation"),
    Code("V014", "validation-exception", "Validating an output node raised", E, "validate",
         "ComfyUI raised while validating an output node itself (e.g. it links to a missing node id).",
         "exception_during_validation"),
    Code("V015", "invalid-input-type", "A literal cannot be converted to the input's type", E, "validate",
         "ComfyUI converts INT/FLOAT literals with Python's int()/float(); this value fails. A common "
         "cause is an unresolved `{{PLACEHOLDER}}` left in a number field.", "invalid_input_type"),
    Code("V016", "value-below-min", "A value is smaller than the input's min", E, "validate",
         "The literal (after conversion) is below the `min` the node declares.", "value_smaller_than_min"),
    Code("V017", "value-above-max", "A value is bigger than the input's max", E, "validate",
         "The literal (after conversion) is above the `max` the node declares.", "value_bigger_than_max"),
    Code("V018", "value-not-in-list", "A value is not one of the allowed options", E, "validate",
         "A combo input (sampler, scheduler, model file, CLIP type ...) got a value the target install "
         "does not list. For model files: the file is missing on that backend.", "value_not_in_list"),
    Code("V019", "custom-validation-failed", "The node's own VALIDATE_INPUTS rejected the inputs", E,
         "validate", "Reported by a live ComfyUI only; offline this is `V090`.", "custom_validation_failed"),
    Code("V020", "dependency-cycle", "Links form a cycle", E, "validate",
         "A node depends on itself through its links. ComfyUI from April 2026 reports `dependency_cycle` "
         "on every node of the cycle with the path; older servers fail with no node errors at all "
         "(`prompt_outputs_failed_validation`, empty details). Break the cycle.", "dependency_cycle"),
    Code("V021", "invalid-dynamic-input", "A v3 dynamic input group has keys the node does not declare", E,
         "validate",
         "A dynamic group input (`COMFY_DYNAMICGROUP_V3`, 2026) got a key that is not "
         "`<group>.<row>.<field>` with a declared field, a row beyond its max, or too few/many rows.",
         "invalid_dynamic_input"),
    Code("V090", "undecidable-offline", "ComfyUI's answer cannot be decided from /object_info", W,
         "validate",
         "The verdict depends on something `/object_info` does not reveal: a node's VALIDATE_INPUTS "
         "(e.g. LoadImage accepts files in sub-folders it does not list), whether a `*` type is a real "
         "wildcard, or the exact stack depth of a very deep graph. Confirm with a live server "
         "(`comfy-contract validate --url`).", None),
    # --- R: rendering (what the app would submit) --------------------------------------------
    Code("R001", "output-chunk-unresolved", "The output chunk is missing or unresolved", E, "render",
         "The proxy chunk's `output_chunk` is missing or still a `{{PLACEHOLDER}}` (no `OUTPUT_CHUNK` "
         "parameter, or a lower-case key). The app then silently fell back to a hard-coded SD3.5 "
         "workflow with an empty prompt. Add `OUTPUT_CHUNK` to the output config's parameters.", None),
    Code("R002", "unresolved-placeholder", "A `{{PLACEHOLDER}}` is left in a submitted value", E, "render",
         "After rendering, a workflow value still contains `{{X}}`. ComfyUI rejects it in number "
         "fields and uses it as a garbage prompt in text fields. Provide the parameter or fix its "
         "name.", None),
    Code("R003", "mapping-node-missing", "An input mapping targets a node id that does not exist", E,
         "render", "The app silently dropped such a mapping (older versions) or created a stub node "
         "without class_type (newer). Fix `node_id` in the chunk's input_mappings.", None),
    Code("R004", "mapping-source-unresolved", "A mapping's source placeholder is never resolved", E,
         "render", "The app only resolves `{{PREVIOUS_OUTPUT}}`-style sources it knows; others (e.g. "
         "`{{PART_A}}`) stay empty. The mapped input receives an empty or literal placeholder value.",
         None),
    Code("R005", "template-stringified", "A proxy parameter template turned a value into a string", N,
         "render", "The app filled `\"{{WIDTH}}\"` with `str(value)`, so numbers reach the workflow as "
         "strings. ComfyUI converts INT/FLOAT/BOOLEAN literals itself, so this is information; where it "
         "matters (a string compared with a number, a combo of numbers) the validator reports it.", None),
    Code("R006", "chunk-missing", "A chunk named by a pipeline or config does not exist", E, "render",
         "Add the chunk file under `chunks/` or fix the name.", None),
    Code("R007", "pipeline-missing", "The config's pipeline does not exist", E, "render",
         "Add the pipeline under `pipelines/` or fix the config's `pipeline` key.", None),
    Code("R008", "file-unparseable", "A config, pipeline or chunk file cannot be parsed", E, "render",
         "The file is not valid JSON or has the wrong shape (e.g. a dict `template`). The app would "
         "fail to load it; other configs are still rendered.", None),
    Code("R009", "config-missing", "A referenced config does not exist", E, "render",
         "An output config named in `media_preferences.output_configs` or "
         "`output_config_defaults.json` is not in the tree.", None),
    Code("R010", "no-comfyui-workflow", "The config does not produce a ComfyUI workflow", N, "render",
         "The config ends in a text-only step or an API output chunk: nothing is submitted to ComfyUI, "
         "so there is nothing to validate.", None),
    Code("R011", "adapter-failed", "The app's own generator failed for this config", E, "render",
         "The adapter (Python callable, command or HTTP endpoint) raised, exited non-zero or returned "
         "something that is not a workflow.", None),
    Code("R012", "random-seed", "A seed is drawn at random by the app", N, "render",
         "`\"random\"` seeds become a random integer per request; comfy-contract renders them from a "
         "fixed seed so results are reproducible.", None),
    Code("R013", "placeholder-resubstituted", "A substituted value was substituted a second time", W, "render",
         "The app fills templates one placeholder after another, so text inserted for one placeholder (the "
         "LLM's answer, a parameter) is searched again for the next ones: `{{WIDTH}}` written by the LLM "
         "becomes `1024`, and the result depends on the order of the names. Keep `{{`/`}}` out of LLM answers "
         "and parameter values (escape them in the config's `context`).", None),
    Code("R014", "placeholder-cycle", "Placeholders refer to each other in a cycle", E, "render",
         "A parameter's value names another placeholder that leads back to it (`A = \"{{B}}\"`, "
         "`B = \"{{A}}\"`). The app substitutes once, so a literal `{{...}}` reaches the workflow. Give "
         "the parameters literal values.", None),
    Code("R015", "other-backend", "The app sends this request to another backend, not ComfyUI", N, "render",
         "The app routes the output chunk to a generation backend that is not a ComfyUI `/prompt` (SwarmUI's "
         "simple Text2Image API, Diffusers, HeartMuLa, Stable Audio, Triton, a Python chunk). Nothing is "
         "validated against a ComfyUI catalog for it; the message names the route and why the app took it "
         "(`render.behaviour` in the project file pins the switches that decide it).", None),
    Code("R016", "workflow-not-used", "The chunk's workflow is not what the app runs", W, "render",
         "The output chunk embeds a ComfyUI workflow, but the app routes the chunk elsewhere (e.g. to SwarmUI's "
         "Text2Image API, which takes only prompt, model, size, steps, cfg and seed), so the nodes of that "
         "workflow - custom nodes, encoders, samplers - are never used. Set `requires_workflow: true` on the "
         "chunk if the workflow matters, or remove the workflow.", None),
    Code("R017", "app-fails", "The app itself fails on this request", E, "render",
         "The app answers the request with an error before (or instead of) submitting anything; the message "
         "quotes the app's own error where it has one. Fix what it names (a chunk without `workflow`, a "
         "disabled backend with no `meta.fallback_chunk`, a parameter the deprecated generator cannot convert).",
         None),
    Code("R018", "backend-fallback", "A disabled or unreachable backend falls back (or fails) without ComfyUI", N,
         "render",
         "The output chunk's backend (Diffusers, Stable Audio ...) is disabled or its GPU service is down, so the "
         "app submits `meta.fallback_chunk` to ComfyUI instead; that workflow is what is validated. Without a "
         "fallback chunk or workflow the app fails while the service is down (a warning: the config itself is "
         "fine). Set `render.behaviour.gpu_service: up` to render the direct backend instead.", None),
    Code("R019", "capture-drift", "What the app really submitted differs from the static rendering", E, "capture",
         "With capture (docs/capture.md) comfy-contract runs the app's own code with only LLMs and transports stubbed "
         "and records what it POSTs to ComfyUI; that capture is what is validated and linted. This finding says the "
         "static rendering (the built-in renderer or the adapter) no longer matches it: another graph (the message "
         "quotes the graph diff; seeds, prompt texts and filename prefixes are normalised away), another number of "
         "submissions, or another outcome (an error, a non-ComfyUI backend). Fix the static model (pin "
         "`render.behaviour`) if the app is right, or the app if the model is.", None),
    Code("R020", "capture-refused", "The app called a service capture does not stub", W, "render",
         "During capture the app made a request that is neither ComfyUI, an LLM (Ollama, OpenAI-compatible) nor "
         "SwarmUI, or connected to a non-loopback address. It was refused with the HTTP library's connection error, "
         "so the capture may be incomplete. Stub the service in the app's test settings, or add its loopback URL to "
         "`capture.allow`.", None),
    Code("R021", "duplicate-config-name", "Two configs have the same name; one hides the other", E, "render",
         "Two config files give the same `name` (or the same file name in two folders), so the app's config table "
         "keeps only one of them - the one read last - and the other is never offered nor checked. The finding "
         "names both files. Give each config a unique `name`.", None),
    Code("R022", "inputs-not-traced", "Where the adapter put the user's text or seed is unknown", N, "render",
         "The adapter returned a workflow without `injections` (docs/adapters.md), and comfy-contract could not "
         "trace the request's user text or seed into it (it renders the config a second time with another text "
         "and seed and compares). Lints that need to know where the text went (L001 prompts, L003 dead nodes, "
         "L006 seeds) and contract rule `user_text_inputs` then judge from the graph alone. Return `injections` "
         "from the adapter to make them exact.", None),
    # --- L: lints (ComfyUI accepts it, it is still a bug) --------------------------------------
    Code("L001", "empty-prompt", "A prompt input on the path to an output is empty", E, "lint",
         "A prompt input is empty or blank: an input the app injects the user's text into (role `prompt`), "
         "or the text of a CLIP text encoder on the positive path to an output (all its STRING inputs empty, "
         "followed through primitive string nodes). The output ignores the user's text. Empty *negative* "
         "prompts are fine. Map the prompt to the encoder, or fix the mapping's node id. Rules: docs/lints.md.", None),
    Code("L002", "placeholder-in-prompt", "A prompt text contains `{{...}}`", E, "lint",
         "A STRING input of a node that feeds an output contains `{{NAME}}`: ComfyUI uses it as literal text. "
         "Not repeated where rendering already reported `R002`. Define the parameter, or keep `{{` out of LLM "
         "output.", None),
    Code("L003", "orphan-injection", "An injected input is on a node that feeds no output", E, "lint",
         "The app writes a mapped or injected value (most often the user's text) into a node that no output "
         "node depends on, so ComfyUI never runs it and the value is silently ignored. Point the mapping's "
         "`node_id` at the node the output uses.", None),
    Code("L004", "dangling-node", "A node feeds no output", W, "lint",
         "The node is not on any path to an output node (and no mapping writes it); ComfyUI never runs or "
         "validates it. Connect it or delete it. Not reported when the workflow has no output at all (`V003`).", None),
    Code("L005", "shared-filename-prefix", "Several configs share one filename_prefix", W, "lint",
         "Two different output chunks (or, without chunk names, two differently shaped workflows) save with "
         "the same literal `filename_prefix`. Results are fetched by prefix, so one run can return the other's "
         "files. Configs that share one chunk are fine. Give each chunk its own prefix.", None),
    Code("L006", "seed-never-varied", "The seed is a fixed literal and never mapped", W, "lint",
         "An INT seed input (`seed`, `noise_seed`, `*_seed`) of a node that feeds an output is a literal that no "
         "input mapping writes (followed through a primitive int node), so every run gives the same result. "
         "Add a `seed` mapping with default `\"random\"`.", None),
    Code("L007", "custom-node-missing", "A custom node is missing on a backend", E, "lint",
         "The workflow uses a class this backend's catalog lacks while another backend has it (a custom node "
         "pack installed on one ComfyUI only). The message names the backends that have it. Install the pack "
         "or pin the config to a backend that has it. A class no backend knows is only `V002`.", None),
    Code("L008", "model-missing", "A model file is missing on a backend", E, "lint",
         "A combo input that lists model files names a file this backend does not list while another backend "
         "does. The message names the backends that have it. Copy the model or use one every backend lists.", None),
    Code("L009", "deprecated-node", "The workflow uses a deprecated or experimental node", W, "lint",
         "A node that feeds an output uses a class the catalog marks `deprecated` or `experimental`. Replace it "
         "before ComfyUI removes or changes it.", None),
    Code("L010", "media-type-output-missing", "No output of the declared media type", E, "lint",
         "The config declares a media type (`image`, `audio`/`music`, `video`, `3d`) but none of the workflow's "
         "output nodes produces it (media from the output node's required input types, e.g. IMAGE, AUDIO). "
         "Render the right output chunk or fix `media_preferences.default_output`.", None),
    Code("L011", "mapping-source-not-builtin", "A mapping source is a placeholder the app does not resolve", E,
         "lint", "An input mapping took its value from a `source` such as `{{PART_A}}`. The app resolves only "
         "`{{PREVIOUS_OUTPUT}}`, `{{INPUT_TEXT}}` and `{{USER_INPUT}}` there, so in production the input is "
         "empty even when comfy-contract's corrected renderer fills it. (With the app's own semantics the "
         "renderer reports `R004` at that node instead.) Send the value under the mapping's key from the proxy "
         "chunk, or use `{{PREVIOUS_OUTPUT}}`.", None),
    Code("L012", "kills-prompt-worker", "ComfyUI accepts the prompt, then its prompt worker dies", E, "lint",
         "Measured on ComfyUI 0.3.75: `/prompt` validates only what outputs depend on, but execution "
         "touches every node. A node without an `inputs` object (anywhere in the workflow), or an "
         "undeclared input linked to a node id that does not exist, passes validation (HTTP 200) and then "
         "kills the server's prompt-worker thread: this prompt and every later one stay queued until "
         "ComfyUI is restarted. Give every node an `inputs` object and remove or fix the stray link.",
         None),
    # --- C: per-config contracts ---------------------------------------------------------------
    Code("C001", "contract-required-class", "A required class_type is absent", E, "contract",
         "A contract requires this class for the config, but no node that feeds an output has it - typically "
         "a fallback or wrong output chunk. Check OUTPUT_CHUNK and the output chunk. Format: docs/contracts.md.", None),
    Code("C002", "contract-output-count", "Wrong number of outputs of a media type", E, "contract",
         "The contract fixes how many output nodes of a media type (image, audio, video, 3d) the workflow has; "
         "an outcome without any ComfyUI workflow (text, hosted API) breaks a contract that expects one.", None),
    Code("C003", "contract-user-text-unwired", "An input is not wired to the user's text", E, "contract",
         "The contract requires this input to receive the user's (or the LLM step's) text: injected with role "
         "`prompt`, or linked to nodes upstream of which such an injection is. Map the prompt there.", None),
    Code("C004", "contract-value-range", "A value is outside the contract's range", E, "contract",
         "The contract narrows the range ComfyUI allows for this input (`ClassType.input: {min, max}`); the "
         "literal value is outside it.", None),
    Code("C005", "contract-forbidden-class", "A forbidden class_type is present", E, "contract",
         "The contract forbids this node class for the config (e.g. PreviewImage in an app that fetches saved "
         "files).", None),
    Code("C006", "contract-invalid", "A contract file is invalid", E, "contract",
         "A contract file is not valid YAML or does not match `contracts/schemas/config-contract.schema.json`; "
         "the message starts with `file:line`. The other contract files are still applied.", None),
    Code("C007", "contract-unused", "A contract matches no config", W, "contract",
         "None of the contract's `match` globs matches a config name of the app (a renamed or deleted "
         "config?), so it checks nothing. Fix the glob or delete the contract.", None),
    Code("C008", "contract-no-workflow", "A config that must submit a ComfyUI workflow submits none", E,
         "contract",
         "A contract says `submits_workflow: true` for the config, but it renders to an outcome without a ComfyUI "
         "workflow: text only, a hosted API or another backend (the message quotes the route's R010/R015/R018). "
         "Typically an edit changed the route silently - a dropped or re-cased `backend_type`, a missing "
         "`fallback_chunk`, an adapter returning null - and no snapshot or other contract looks at a config "
         "that submits nothing (`hunt --mutate` finds such edits). Fix the edit, or narrow the contract's "
         "`match` if the config is meant to stop submitting.", None),
    # --- S: snapshots and diffs ----------------------------------------------------------------
    Code("S001", "snapshot-missing", "No snapshot exists for this config and mode", E, "snapshot",
         "Run `comfy-contract snapshot update` (or pytest `--snapshot-update`) to record it.", None),
    Code("S002", "snapshot-drift", "The workflow differs from its snapshot", E, "snapshot",
         "The rendered graph no longer matches the legacy/approved graph. Review the diff; if the "
         "change is intended, update the snapshot.", None),
    Code("S003", "snapshot-unused", "A snapshot belongs to no rendered config", W, "snapshot",
         "Delete it, or pass `--allow-unused-snapshots`.", None),
    Code("S004", "snapshot-invalid", "A snapshot file cannot be read", E, "snapshot",
         "The file is not a comfy-contract snapshot of a supported format version.", None),
    # --- B: baseline ---------------------------------------------------------------------------
    Code("B001", "baseline-stale", "A baseline entry matches no finding", W, "baseline",
         "The accepted finding is gone (fixed?). Remove the entry from the baseline file.", None),
    Code("B002", "baseline-expired", "A baseline entry has expired", E, "baseline",
         "The entry's `expires` date has passed: fix the finding or renew the entry with a reason.",
         None),
    # --- F: fuzzing ----------------------------------------------------------------------------
    Code("F001", "fuzz-failure", "Generated inputs break the config", E, "fuzz",
         "Hypothesis found inputs for which rendering, validation or an error lint fails. The report "
         "shows the minimal inputs; replay with `comfy-contract replay PATH`.", None),
    Code("F002", "fuzz-render-crashed", "The generator raised for generated inputs", E, "fuzz",
         "Rendering the config with these inputs raised an exception instead of returning a result (an "
         "unknown execution mode, a non-JSON answer where the code expects JSON, a type the code does not "
         "handle). The app would crash the same way. Make the generator handle the input; replay with "
         "`comfy-contract replay PATH`.", None),
    Code("F003", "mutant-survived", "An edit to the app's files changes what it submits, unnoticed", E, "fuzz",
         "`hunt --mutate` edited a config, pipeline or chunk (or an adapter app's config file) the way developers "
         "do - a dropped or re-cased key, another chunk name, a deleted node or link, a changed literal - and the "
         "config now submits another graph (or none), yet the gate (render, validate, lints, contracts, "
         "snapshots) reports nothing new: a blind spot of the contracts and snapshots. The report shows the "
         "edit, the graph diff and the contract rule or snapshot that would catch it; replay the survivor file "
         "with `comfy-contract replay PATH` after adding it.", None),
    # --- D: drift from a live server (check --live, catalog diff, validate --url --compare) ----
    Code("D001", "live-node-missing", "A node class of the catalog is not on the server", E, "live",
         "The committed catalog has this class but the running ComfyUI does not: offline validation passes "
         "workflows that use it, the server rejects them (`invalid_prompt`). Install the custom node pack on "
         "the server, or re-pull the catalog (`comfy-contract catalog pull`).", None),
    Code("D002", "live-node-extra", "The server has a node class the catalog lacks", W, "live",
         "The running ComfyUI offers a class the catalog does not know; offline validation rejects workflows "
         "that use it. Re-pull the catalog if the class is meant to be used.", None),
    Code("D003", "live-input-missing", "An input of the catalog is not declared on the server", W, "live",
         "The catalog declares an input the server's class no longer has. ComfyUI ignores undeclared inputs, "
         "so values the app sends there have no effect. Re-pull the catalog and check the app's mappings.", None),
    Code("D004", "live-required-input-added", "The server requires an input the catalog does not know", E, "live",
         "Workflows written against the catalog lack this input and the server rejects them with "
         "`required_input_missing` (the classic upgrade breakage). Add the input to the app's workflows and "
         "re-pull the catalog.", None),
    Code("D005", "live-optional-input-added", "The server has a new optional input", N, "live",
         "The server's class accepts an optional input the catalog lacks. Harmless; re-pull the catalog to "
         "validate it offline too.", None),
    Code("D006", "live-input-category", "An input changed between required and optional", E, "live",
         "The input is required on one side and optional on the other. Required on the server only is an "
         "error (workflows without it are rejected); optional on the server only is a warning.", None),
    Code("D007", "live-input-type", "An input has another type on the server", E, "live",
         "The input's type (INT, FLOAT, STRING, a socket type, COMBO) differs: literals or links valid offline "
         "may be rejected (`invalid_input_type`, `return_type_mismatch`).", None),
    Code("D008", "live-input-range", "An input's min or max differs on the server", E, "live",
         "A narrower range on the server is an error (values valid offline get `value_smaller_than_min` / "
         "`value_bigger_than_max`); a wider one is a warning.", None),
    Code("D009", "live-combo-missing", "The server does not offer a combo value of the catalog", E, "live",
         "A combo input (sampler, scheduler, or a loader's model file) lists values the server does not: a "
         "workflow choosing one is rejected with `value_not_in_list`. Typically a model file missing on that "
         "install: copy it there, or list it under the backend's `without_models`.", None),
    Code("D010", "live-combo-extra", "The server offers combo values the catalog lacks", N, "live",
         "The server lists more values (e.g. model files added since the catalog was pulled). Harmless; "
         "re-pull the catalog to validate them offline.", None),
    Code("D011", "live-outputs-changed", "A node's outputs or output-node flag differ", E, "live",
         "The class returns other types, or is (not) an output node on the server: links and "
         "`prompt_no_outputs` verdicts differ from offline ones.", None),
    Code("D012", "live-version", "The server runs another ComfyUI version", W, "live",
         "The catalog was pulled from another ComfyUI version, so the validation era may differ. Re-pull it.",
         None),
    Code("D020", "live-disagreement", "The server answered differently from the offline verdict", E, "live",
         "`validate --url --compare` (or `check --live --submit`) posted the body to the server and its answer "
         "differs from the offline verdict in status, error type, details or node errors (compared like the "
         "differential suite: live/agreement.py). The catalog is stale (see the D findings), the server has "
         "custom on-prompt handlers, or it is a validator bug worth reporting with the body.", None),
)

CODES: MappingProxyType[str, Code] = MappingProxyType({c.code: c for c in _TABLE})
BY_COMFYUI_TYPE: MappingProxyType[str, Code] = MappingProxyType(
    {c.comfyui_type: c for c in _TABLE if c.comfyui_type and c.code != "V001"}
)


def lookup(code: str) -> Code:
    """The table entry for ``code`` (case-insensitive); a usage error names the known codes."""
    try:
        return CODES[code.upper()]
    except KeyError:
        raise ComfyContractError(
            f"unknown finding code {code!r}", hint="`comfy-contract explain --list` lists every code"
        ) from None


_FAMILIES = (
    ("V", "ComfyUI /prompt validation"),
    ("R", "Rendering"),
    ("L", "Lints"),
    ("C", "Per-config contracts"),
    ("S", "Snapshots and diffs"),
    ("B", "Baseline"),
    ("F", "Fuzzing"),
    ("D", "Drift from a live server"),
)


def render_markdown() -> str:
    """``docs/codes.md``: every code with its severity, check and explanation (a test keeps the file equal)."""
    out = [
        "# Finding codes",
        "",
        "<!-- Generated from src/comfy_contract/core/codes.py by"
        " comfy_contract.core.codes.render_markdown(); do not edit. -->",
        "",
        "Codes are stable: never renumbered, never reused. `comfy-contract explain CODE` prints one entry;",
        "`comfy-contract explain --list` lists them all. Rules in detail: [lints](lints.md),",
        "[contracts](contracts.md), [baseline](baseline.md).",
        "",
    ]
    for prefix, title in _FAMILIES:
        entries = [c for c in _TABLE if c.code.startswith(prefix)]
        if not entries:
            continue
        out += [f"## {prefix}: {title}", "", "| code | name | severity | title |", "|---|---|---|---|"]
        out += [f"| [{c.code}](#{c.code.lower()}) | `{c.name}` | {c.severity} | {c.title} |" for c in entries]
        out.append("")
        for c in entries:
            out += [f"### {c.code}", "", f"**{c.name}** ({c.severity}, check `{c.check}`): {c.title}.", ""]
            if c.comfyui_type:
                out += [f"ComfyUI error type: `{c.comfyui_type}`.", ""]
            out += [c.explanation, ""]
    return "\n".join(out)

