# Redzone: `make run` sets up and runs the main job on the embedded default; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
DEMO_WORKSPACE ?= var/demo-workspace
# The demo workspace holds synthetic data only, so its passphrase may be a known one.
DEMO_PASSPHRASE ?= synthetic-demo-only

.PHONY: setup assets run test test-fast bench lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@
	$(MAKE) assets

# Front-end packages from the npm registry (assets/package-lock.json), copied where the app serves them.
VENDOR := src/redzone/web/static/vendor
MAP_OUTLINES := src/redzone/maps/data/outlines.json
assets: $(VENDOR)/.installed $(MAP_OUTLINES)

$(VENDOR)/.installed: assets/package.json assets/package-lock.json
	npm ci --prefix assets --no-audit --no-fund
	mkdir -p $(VENDOR)
	cp assets/node_modules/htmx.org/dist/htmx.min.js assets/node_modules/vega/build/vega.min.js \
	   assets/node_modules/vega-lite/build/vega-lite.min.js assets/node_modules/vega-embed/build/vega-embed.min.js \
	   assets/node_modules/vega-interpreter/build/vega-interpreter.min.js $(VENDOR)/
	touch $@

# The incident map's outlines, built from two of those npm packages (docs/maps.md).
$(MAP_OUTLINES): $(VENDOR)/.installed src/redzone/maps/build.py src/redzone/maps/projection.py
	$(BIN)/python -m redzone.maps.build

run: $(STAMP) assets
	REDZONE_WORKSPACE=$(DEMO_WORKSPACE) REDZONE_PASSPHRASE=$${REDZONE_PASSPHRASE:-$(DEMO_PASSPHRASE)} $(BIN)/redzone run

test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lock:
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache
