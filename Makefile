# ModelLedger: `make demo` runs the main job end to end, `make test` runs every test.
SWIFT ?= swift

.PHONY: deps build lint format test demo bench vectors clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# The house style (.swift-format, CONTRIBUTING.md): any finding fails the lint, and so `make test`.
lint:
	$(SWIFT) format lint --strict --parallel -r Sources Tests Package.swift

format:
	$(SWIFT) format format --in-place --parallel -r Sources Tests Package.swift

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) test-postgres

# The relay tests again with every relay on a throwaway PostgreSQL cluster (see Tests/Processes/PostgresCluster.swift);
# restoring a relay from a copy of its data folder is a SQLite relay's backup, so that test runs once.
.PHONY: test-postgres
test-postgres:
	MLEDGER_TEST_STORE=postgres $(SWIFT) test --skip-build --filter 'SyncTests|RelayDashboardTests|WebhookDeliveryTests' --skip 'PostgresRelayTests|relaysOnOneDatabaseShare|RelayRestoreTests'

demo: build
	@scripts/demo.sh

bench: deps
	$(SWIFT) build -c release --product mledger-relay
	$(SWIFT) build -c release --product mledger-bench
	$(SWIFT) build -c release --product mledger
	.build/release/mledger-bench
	"$$(scripts/mlflow-venv.sh)" client/bench/mlflow_logging.py --mledger .build/release/mledger
	"$$(scripts/mlflow-venv.sh)" client/bench/mlflow_import.py --mledger .build/release/mledger

# The big-history fixture (100,000 runs; README "Scale"): `make bench-scale`.
.PHONY: bench-scale
bench-scale: deps
	$(SWIFT) build -c release --product mledger-relay
	$(SWIFT) build -c release --product mledger-bench
	$(SWIFT) build -c release --product mledger
	.build/release/mledger-bench --scale

# Regenerates protocol/vectors from fixed seeds (the tests check the result is unchanged).
vectors: build
	.build/debug/mledger-vectors protocol/vectors/events.json

clean:
	rm -rf .build demo

# Fault, load and hostile-input suite (a few minutes); `torture-long` runs bigger counts for local runs.
# Built with the tests' flags, so after `make test` nothing is compiled again.
# TORTURE_ARGS passes options, e.g. `make torture TORTURE_ARGS="--seed 42"`.
.PHONY: torture torture-long
torture: deps
	$(SWIFT) build --build-tests
	.build/debug/mledger-torture $(TORTURE_ARGS)

torture-long: deps
	$(SWIFT) build --build-tests
	.build/debug/mledger-torture --long $(TORTURE_ARGS)

# Differential test of `mledger serve` against a real `mlflow server` with many generated cases
# (`make test` runs it with 150); DIFFERENTIAL_SEED picks another sequence.
.PHONY: differential-long
differential-long: deps
	$(SWIFT) build --build-tests
	DIFFERENTIAL_COUNT=$${DIFFERENTIAL_COUNT:-2000} $(SWIFT) test --skip-build --filter DifferentialTests
