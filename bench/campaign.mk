# Fault campaigns and fuzzing (included by the Makefile). Each runner writes its own delimited
# section of bench/results.md with the command that produced it; both exit 1 on any finding.
.PHONY: campaign fuzz

# Power loss and reset at every step of every flow, tier 1 and tier 2 (bench/campaign-main.ts).
campaign: all
	node dist/bench/campaign-main.js

# A million seeded inputs per fuzz target, tier-2 sample (bench/fuzz-main.ts).
fuzz: all
	node dist/bench/fuzz-main.js
