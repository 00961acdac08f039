# Two commands on a fresh machine: `make run` and `make test` (`make dev` while changing code).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
GATEWAY_PORT ?= 8600

# The address a browser on this machine opens (a wildcard HOST listens everywhere, loopback too).
BROWSER_HOST := $(if $(filter 0.0.0.0 :: [::],$(HOST)),127.0.0.1,$(HOST))
DESK_URL := http://$(BROWSER_HOST):$(PORT)
GATEWAY_URL := http://$(BROWSER_HOST):$(GATEWAY_PORT)/router/rest
# Mailed links point at the server started here unless the environment already says where.
PUBLIC_BASE_URL := $(or $(ONBOARDING_PUBLIC_BASE_URL),$(DESK_URL))
# The demo: the local gateway stands in for the TOP sandbox and production (docs/top.md).
RUN_ENV := ONBOARDING_PUBLIC_BASE_URL='$(PUBLIC_BASE_URL)' ONBOARDING_TOP_GATEWAY_URL='$(GATEWAY_URL)' \
	ONBOARDING_TOP_DEMO_STAND_INS=true

.PHONY: run dev test install system-deps lint format bench clean-instance screenshots messages translations

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages: WeasyPrint's native libraries (Pango, HarfBuzz with its subsetter, fontconfig);
# Graphviz draws the journey chart; DejaVu and WenQuanYi (CJK glyphs) are the packet fonts;
# poppler-utils renders PDF pages to PNG (packet pages for the docs, scans for OCR); Tesseract
# with its English and Simplified Chinese data reads scanned documents. A fresh Debian image lacks
# some of them (libharfbuzz-subset0 among them), so each is checked by name, not by what happens
# to be there.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	libfontconfig1 fontconfig graphviz fonts-dejavu-core fonts-wqy-microhei poppler-utils \
	tesseract-ocr tesseract-ocr-chi-sim

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

# The desk as it runs in production (gunicorn, gunicorn.conf.py), with the local TOP gateway and
# the mail worker; the URL and the demo logins come last, once the desk answers. Ctrl-C stops all.
run: install system-deps translations instance/secret_key
	$(RUN_ENV) $(FLASK) db upgrade
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	export $(RUN_ENV); \
	logins=$$($(FLASK) demo seed) || exit 1; \
	$(FLASK) top gateway --host $(HOST) --port $(GATEWAY_PORT) & \
	gateway=$$!; \
	$(FLASK) worker --interval 5 & \
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py & \
	web=$$!; \
	$(PY) scripts/wait_for_desk.py $(DESK_URL)/login --pid $$web --config gunicorn.conf.py \
	  || exit 1; \
	kill -0 $$gateway 2>/dev/null || { echo "The local TOP gateway did not start; see above."; exit 1; }; \
	echo; \
	echo "The TOP Onboarding Desk is running: open $(DESK_URL)"; \
	echo "  local TOP gateway  $(GATEWAY_URL)"; \
	echo "  mailed links       $(PUBLIC_BASE_URL)   (mail is written to instance/mail)"; \
	echo "$$logins"; \
	echo "Ctrl-C stops the desk, the gateway and the mail worker."; \
	wait $$web

# Development: `flask run` with the reloader and the debugger, plus the gateway and the worker.
dev: install system-deps translations instance/secret_key
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) demo seed
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	export $(RUN_ENV); \
	$(FLASK) top gateway --host $(HOST) --port $(GATEWAY_PORT) & \
	$(FLASK) worker --interval 5 & \
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

# The catalogs: ``make messages`` extracts every string into the two domains' templates
# (translations/web.pot, translations/core.pot) and merges them into each language's .po;
# ``make translations`` compiles the .po files the desk reads (the .mo files are not kept in git;
# the test session compiles them too).
LOCALES := en zh_Hans_CN
DOMAINS := web core
BABEL := $(VENV)/bin/pybabel

messages: install
	@for domain in $(DOMAINS); do \
	  $(BABEL) -q extract --no-location --omit-header --sort-output -F babel-$$domain.cfg \
	    -k _l -k lazy_ngettext:1,2 -k pgettext:1c,2 -k lazy_pgettext:1c,2 -o translations/$$domain.pot . || exit 1; \
	  for locale in $(LOCALES); do \
	    po=translations/$$locale/LC_MESSAGES/$$domain.po; \
	    if [ -f $$po ]; then \
	      $(BABEL) -q update --no-fuzzy-matching -D $$domain -l $$locale \
	        -i translations/$$domain.pot -d translations || exit 1; \
	    else \
	      $(BABEL) -q init -D $$domain -l $$locale -i translations/$$domain.pot -d translations || exit 1; \
	    fi; \
	  done; \
	done

translations: install
	@$(PY) -c "from workflow.i18n import compile_catalogs; compile_catalogs()"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install system-deps lint translations
	$(VENV)/bin/pytest -q

bench: install system-deps translations
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean-instance:
	rm -rf instance

# The screenshots of docs/applicant.md and docs/reviewer.md, from a throw-away desk in Chromium.
screenshots: install translations
	$(PY) docs/screenshots.py $(if $(CHROMIUM),--chromium $(CHROMIUM))
