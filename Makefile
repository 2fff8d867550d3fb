# bangfu — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := DJANGO_DEBUG=1

.PHONY: setup demo test check lock system-deps serve clean

setup: $(VENV)/.installed static/vendor/.installed system-deps

$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# Front-end packages come from npm (package-lock.json) and are copied into the git-ignored static/vendor.
# Each copied file travels with the source map it names (sourceMappingURL): the production static
# storage (ManifestStaticFilesStorage) follows those references and refuses a missing one.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.package-lock.json Makefile
	mkdir -p static/vendor/bootstrap static/vendor/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   node_modules/bootstrap/LICENSE static/vendor/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE static/vendor/echarts/
	@for f in $$(find static/vendor -name '*.js' -o -name '*.css'); do \
	  map=$$(tail -n 1 "$$f" | sed -n 's|.*sourceMappingURL=\([^ *]*\).*|\1|p'); \
	  if [ -n "$$map" ] && [ ! -f "$$(dirname "$$f")/$$map" ]; then \
	    echo "$$f names $$map, which was not copied into static/vendor" >&2; exit 1; \
	  fi; \
	done
	touch $@

# Debian's Chromium (browser tests) and a CJK font (PDF documents).
system-deps:
	scripts/install-system-deps

demo: setup
	mkdir -p var
	$(DEMO_ENV) $(BIN)/bangfu migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/bangfu load_registry
	$(DEMO_ENV) $(BIN)/bangfu demo_data
	@echo "在浏览器打开 http://127.0.0.1:8000 （按 Ctrl+C 停止）；后台任务由同时启动的 db_worker 执行"
	$(DEMO_ENV) $(BIN)/bangfu db_worker --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(DEMO_ENV) $(BIN)/bangfu runserver 127.0.0.1:8000

# Production (README "生产部署"): collectstatic, migrate, then gunicorn with DEBUG off.
# Needs SECRET_KEY; BIND, WEB_CONCURRENCY, DATABASE_URL, STATIC_ROOT, … from the environment.
serve: $(VENV)/.installed static/vendor/.installed
	scripts/serve

test: setup
	scripts/check

check: setup
	scripts/check --static

lock:
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe -o requirements.lock requirements.in
	$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe -o requirements-dev.lock requirements-dev.in

clean:
	rm -rf $(VENV) node_modules static/vendor var
