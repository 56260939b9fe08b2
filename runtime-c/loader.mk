# The field loader (assembly/loader, README there): its own wasm module with its own linear-memory
# budget, instrumented for tier 1 like the operator's. Included by the Makefile.

LOADER_WASM := $(BUILD)/fusop-loader.wasm
LOADER_WASM_TIER1 := $(BUILD)/fusop-loader.tier1.wasm
LOADER_GEN := $(GEN)/loader
# Bytes of linear memory the device gives the loader module (assembly/loader/device.ts).
LOADER_LINEAR_BYTES := $(shell sed -n 's/^export const LOADER_LINEAR_BYTES = \([0-9]*\);$$/\1/p' assembly/loader/device.ts)
ifeq ($(LOADER_LINEAR_BYTES),)
$(error assembly/loader/device.ts must define LOADER_LINEAR_BYTES)
endif
LOADER_ASC_FLAGS := $(subst --lowMemoryLimit $(LINEAR_BYTES),--lowMemoryLimit $(LOADER_LINEAR_BYTES),$(ASC_FLAGS))

$(LOADER_WASM): $(AS_SOURCES) scripts/check-wasm.mjs
	@mkdir -p $(BUILD)
	npx asc assembly/loader/index.ts -o $@ -t $(BUILD)/fusop-loader.wat $(LOADER_ASC_FLAGS)
	node scripts/check-wasm.mjs $@ $(LOADER_LINEAR_BYTES) $(LOADER_GEN)/linear_layout.h

$(LOADER_WASM_TIER1): $(LOADER_WASM) scripts/instrument-tier1.mjs
	node scripts/instrument-tier1.mjs $(LOADER_WASM) $@

wasm: $(LOADER_WASM) $(LOADER_WASM_TIER1)
