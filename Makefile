# Countersign: common tasks. `make test` is what CI runs (through .ci/run).
.PHONY: all build run test bundles bench conformance clean

all: build

node_modules: package.json package-lock.json
	npm ci
	@touch node_modules

build: node_modules
	npm run build

bundles: build
	node dist/src/cli/main.js build rego -o bundles/countersign.tar.gz

# Serves the example development configuration; without REDIS_URL it starts its own redis-server (AOF on,
# data in .countersign/redis), which must be installed: apt-get install redis-server.
run: bundles
	node dist/src/cli/main.js serve

test: build
	npx tsc -p tsconfig.json --noEmit
	npx jest --ci
	@if [ -d ../shared/opa-conformance ]; then node scripts/conformance-ratchet.mjs ../shared/opa-conformance; fi

conformance: build
	node dist/src/cli/main.js conformance ../shared/opa-conformance

bench: build
	node dist/scripts/bench.js

clean:
	rm -rf dist build
