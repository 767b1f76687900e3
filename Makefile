# The commands the README names; CI (.ci/run) uses the same ones.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install test pytest lint typecheck format sandbox serve worker bench bench-timers bench-storage chaos coach-eval coach-train coach-train-check coach-encoder coach-encoder-read coach-bench screenshots clean

$(BIN)/commonground: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(BIN)/commonground  ## create .venv and install the app with its dev tools

test: install lint typecheck pytest  ## everything CI checks: lint, types, the whole test suite

pytest: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

sandbox: install  ## the product on its embedded defaults, in a browser: no Slack, no Redis install
	$(BIN)/commonground sandbox

serve: install  ## the real app (needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)
	$(BIN)/commonground serve

worker: install
	$(BIN)/commonground worker

# The measured web process on a core of its own and the worker at a lower priority, as when the worker
# (and Slack) run on other machines (README, Performance); `make bench BENCH_FLAGS=` shares every core.
BENCH_FLAGS ?= --seconds 8 --invitations 8000 --worker-nice 10 $(if $(filter 0 1,$(shell nproc 2>/dev/null || echo 1)),,--pin)

bench: install  ## handler latency and throughput against a bare Bolt app
	$(BIN)/python scripts/bench_handlers.py $(BENCH_FLAGS)

chaos: install  ## lost updates, lost or doubled effects, 5xx and tracebacks under load, faults and junk
	$(BIN)/python scripts/chaos.py

bench-timers: install  ## due timers per second through one worker (100,000 timers, throwaway keys)
	$(BIN)/python scripts/bench_timers.py

bench-storage: install  ## bytes per mediation and read latency at 100,000 mediations (throwaway prefix, cleaned up)
	$(BIN)/python scripts/bench_storage.py

coach-eval: install  ## the coach's figures on every data set (training sets marked)
	$(BIN)/python scripts/coach_eval.py --all

coach-train: install  ## retrain the coach's model from the training data (writes flows/coach/data/model.json)
	$(BIN)/python scripts/coach_train.py

coach-train-check: install  ## retrain and check the committed model is exactly what training gives
	$(BIN)/python scripts/coach_train.py --check

ENCODER_VENV ?= .venv-encoder

$(ENCODER_VENV)/bin/python: requirements-encoder.txt pyproject.toml
	$(PYTHON) -m venv $(ENCODER_VENV)
	$(ENCODER_VENV)/bin/pip install --quiet -e . -r requirements-encoder.txt
	@touch $@

coach-encoder: $(ENCODER_VENV)/bin/python  ## fine-tune the statement encoder (PyTorch, about an hour); then make coach-train
	$(ENCODER_VENV)/bin/python scripts/coach_encoder.py

coach-encoder-read: install  ## file the shipped encoder's logits of training statements it never saw; then make coach-train
	$(BIN)/python scripts/coach_encoder.py --read-new

coach-bench: install
	$(BIN)/python scripts/coach_bench.py

screenshots: install  ## the README's screenshots, from the browser test
	SANDBOX_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser -q

clean:
	rm -rf $(VENV) $(ENCODER_VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
