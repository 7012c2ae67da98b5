# Countersign: common tasks. `make test` is what CI runs (through .ci/run).
.PHONY: all build run test lint format bundles bench conformance clean redis-server chromium

all: build

node_modules: package.json package-lock.json
	npm ci
	@touch node_modules

build: node_modules
	npm run build

bundles: build
	node dist/src/cli/main.js build rego -e countersign/decision -e countersign/mcp_hidden_tools -o bundles/countersign.tar.gz

# The tests, and `run` without REDIS_URL, start their own redis-server: install Debian's when it is missing
# and this is a root shell with apt-get; otherwise say what to do.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || [ -n "$$REDIS_URL" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	  else echo "redis-server is needed: apt-get install redis-server (or set REDIS_URL)" >&2; exit 1; fi; }

# The web console's tests drive Debian's headless Chromium (playwright-core, no browser download): install it
# when it is missing and this is a root shell with apt-get; otherwise say what to do.
chromium:
	@[ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium is needed for the console tests: apt-get install chromium" >&2; exit 1; fi; }

# Serves the example development configuration; without REDIS_URL it starts its own redis-server (AOF on,
# data in .countersign/redis).
run: redis-server bundles
	node dist/src/cli/main.js serve

# The code's shape: ESLint, the formatter, and dependency-cruiser's import rules (no cycles, no orphans, the
# layering of ../shared/STYLE.md). `make format` rewrites what the formatter would change.
lint: node_modules
	npx eslint --max-warnings 0 .
	npx prettier --check --log-level warn .
	npx depcruise src --config .dependency-cruiser.cjs --output-type err

format: node_modules
	npx prettier --write --log-level warn .

test: redis-server chromium build lint
	npx tsc -p tsconfig.json --noEmit
	npx jest --ci
	@if [ -d ../shared/opa-conformance ]; then node scripts/conformance-ratchet.mjs ../shared/opa-conformance; fi

conformance: build
	node dist/src/cli/main.js conformance ../shared/opa-conformance

bench: redis-server build
	node dist/scripts/bench.js

clean:
	rm -rf dist build
