# Two commands for a fresh Debian/Ubuntu machine: `make serve` and `make test`.
# Each does the whole set-up first: system packages (apt, where missing), a virtualenv,
# the package, the database migrations, and the librosa/numba JIT cache.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= data
SYSTEM_PACKAGES := ffmpeg libfluidsynth3 fluid-soundfont-gm espeak-ng libsndfile1 python3-venv fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
# The suite on two pytest-xdist workers, each test module whole on one (tests/conftest.py: the composer's
# and the neural engines' folders whole too, the slow ones first); PYTEST_PARALLEL= runs it in one process.
PYTEST_PARALLEL ?= -n 2 --dist loadfile --no-loadscope-reorder

.PHONY: setup setup-gpu serve test lint bench fuzz listen clean

.stamp-system: Makefile
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@touch $@

.stamp-venv: pyproject.toml .stamp-system
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,scale]"
	$(BIN)/python -m pip install -q --no-deps "basic-pitch==0.4.0"  # its ONNX model; not its TensorFlow (docs/dependencies.md)
	$(BIN)/python -m openproducer.warmup
	@touch $@

setup: .stamp-venv

# The neural engines' extra, for the tests (tiny random models on the CPU). torch is pinned to
# 2.13.0, which this machine kind ships as a CPU wheel (an unpinned torch would pull several GB of
# CUDA), in the same pip run as the package: one resolution sees both torch's setuptools>=77 and
# our setuptools<81 (pyworld), so pip never installs a setuptools it must then take back.
.stamp-gpu: .stamp-venv
	$(BIN)/python -m pip install -q "torch==2.13.0" -e ".[test,scale,gpu,separation]"
	@touch $@

setup-gpu: .stamp-gpu

# Chromium for the studio page's browser tests (tests/web, driven by playwright); where it cannot be
# installed those tests skip, saying why, and the rest of `make test` goes on.
BROWSER_PACKAGES := chromium
.stamp-browser: .stamp-system
	@if dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || { echo "installing $(BROWSER_PACKAGES) (browser tests)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	  --no-install-recommends $(BROWSER_PACKAGES); }; then touch $@; \
	else echo "could not install $(BROWSER_PACKAGES): the browser tests (tests/web) will skip"; fi

serve: setup
	$(BIN)/openproducer migrate --data-dir $(DATA_DIR)
	@echo "Your demo API key (also in $(DATA_DIR)/demo-key.txt):"
	@$(BIN)/openproducer keys demo --data-dir $(DATA_DIR)
	$(BIN)/openproducer serve --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT)

test: setup setup-gpu .stamp-browser
	$(BIN)/ruff check openproducer tests bench
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check openproducer tests bench

# A long schema-fuzzing run of every route (FUZZ_ARGS e.g. --max-examples 3000 --seed 123).
FUZZ_ARGS ?=
fuzz: setup
	$(BIN)/python bench/fuzz_api.py $(FUZZ_ARGS)

bench: setup
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/engine_speed.py

# The listening check: the intelligibility bench songs rendered to LISTEN_DIR (mix.mp3, vocals.wav,
# lyrics.txt and a spectrogram mix.png with the sung words marked under it), for an ear and an eye.
LISTEN_DIR ?= listen
listen: setup
	$(BIN)/python bench/intelligibility.py --no-whisper --spectrograms --out $(LISTEN_DIR)
	@echo "songs and spectrograms in $(LISTEN_DIR)/"

clean:
	rm -rf .stamp-system .stamp-venv .stamp-gpu .stamp-browser
