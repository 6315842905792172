# Two commands on a fresh Debian machine with Python 3.11: `make test` and `make crawl`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages: chromium renders JavaScript pages, redis-server backs the distributed
# tests, nginx serves the crawl benchmark's local portal.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup system-deps test crawl demo bench lint clean

setup: $(STAMP) system-deps

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# Installs what is missing, nothing else; `apt-get update` runs only when something is.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: setup system-deps
	$(BIN)/ruff check crawler tests bench
	$(BIN)/pytest -n 2 --dist loadfile -q

crawl: setup
	$(BIN)/scrapy crawlall

demo: setup
	$(BIN)/python -m crawler.demo

bench: setup system-deps
	@command -v nginx >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nginx; }
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check crawler tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
