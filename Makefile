# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
GATEWAY_PORT ?= 8600

.PHONY: run test install system-deps lint format bench clean-instance

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages: WeasyPrint's native libraries (Pango, HarfBuzz with its subsetter, fontconfig);
# Graphviz draws the journey chart; DejaVu and WenQuanYi (CJK glyphs) are the packet fonts;
# poppler-utils renders packet pages to PNG for the docs. A fresh Debian image lacks some of them
# (libharfbuzz-subset0 among them), so each is checked by name, not by what happens to be there.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	libfontconfig1 fontconfig graphviz fonts-dejavu-core fonts-wqy-microhei poppler-utils

system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "please install:$$missing (sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

instance/secret_key:
	mkdir -p instance
	$(PY) -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

run: install system-deps instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo "Local TOP gateway on http://$(HOST):$(GATEWAY_PORT)/router/rest; mail goes to instance/mail"
	@trap 'kill 0' EXIT INT TERM; \
	$(FLASK) top gateway --host $(HOST) --port $(GATEWAY_PORT) & \
	$(FLASK) outbox send --loop --interval 5 & \
	ONBOARDING_TOP_GATEWAY_URL=http://$(HOST):$(GATEWAY_PORT)/router/rest $(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install system-deps lint
	$(VENV)/bin/pytest -q

bench: install system-deps
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean-instance:
	rm -rf instance
