# fusop build. `make` builds everything; `make test` and `make demo` are the README's two commands.
# Toolchain: Debian packages (wabt, gcc-arm-none-eabi, libnewlib-arm-none-eabi, libunicorn-dev) and
# npm packages; `make deps` installs what is missing.

# Quiet by default: one short line per step. `make V=1` prints every command as it runs.
ifeq ($(V),1)
Q :=
QUIET_OUT :=
step = @true
else
Q := @
QUIET_OUT := >/dev/null
step = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

BUILD := build
WASM := $(BUILD)/fusop.wasm
WASM_TIER1 := $(BUILD)/fusop.tier1.wasm
GEN := $(BUILD)/gen
FW := $(BUILD)/fw
ADDON := host-sim/native/build/Release/fusop_unicorn.node
# Bytes of linear memory the device gives the module, defined once in assembly/shared/device.ts
# (runtime-c/wasm_rt_device.c checks it too).
LINEAR_BYTES := $(shell sed -n 's/^export const DEVICE_LINEAR_BYTES = \([0-9]*\);$$/\1/p' assembly/shared/device.ts)
ifeq ($(LINEAR_BYTES),)
$(error assembly/shared/device.ts must define DEVICE_LINEAR_BYTES)
endif

ASC_FLAGS := --runtime stub -Oz --noAssert --use abort= --initialMemory 1 --maximumMemory 1 \
  --memoryBase 16 --lowMemoryLimit $(LINEAR_BYTES) --disable bulk-memory

CROSS := arm-none-eabi-
# No call-depth counter in the generated C: scripts/check-wasm.mjs refuses a module with recursion
# or indirect calls, so the call graph is a DAG and its deepest chain bounds the stack.
WASM_RT_FLAGS := -DWASM_RT_USE_STACK_DEPTH_COUNT=0
CPU_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
C_COMMON := $(CPU_FLAGS) -flto -DNDEBUG -ffunction-sections -fdata-sections -Wall -Wextra \
  -DFUSOP_LINEAR_BYTES=$(LINEAR_BYTES) $(WASM_RT_FLAGS) -Iruntime-c -Iruntime-c/include -I$(GEN)
# The generated C is built at -Os with wasm2c's load/store helpers forced inline
# (scripts/shape-wasm2c.mjs): without that, -Os turns every linear-memory access into a call.
C_GENERATED := $(C_COMMON) -Os -Wno-unused-value -Wno-unused-function -Wno-unused-parameter \
  -Wno-unused-but-set-variable -Wno-unused-variable -Wno-sign-compare
C_RUNTIME := $(C_COMMON) -Os -Werror

AS_SOURCES := $(shell find assembly -name '*.ts')
RT_SOURCES := runtime-c/wasm_rt_device.c runtime-c/hal.c runtime-c/fusop_runtime.c
PROBE_SOURCES := $(RT_SOURCES) runtime-c/startup.c runtime-c/probe_main.c $(GEN)/fusop.c $(GEN)/fusop_api.c
# Exactly the objects of the probe: a wildcard would also link whatever an older build left in $(FW).
PROBE_OBJECTS := $(sort $(FW)/fusop.o $(FW)/fusop_api.o \
  $(patsubst runtime-c/%.c,$(FW)/%.o,$(RT_SOURCES) runtime-c/startup.c runtime-c/probe_main.c))
# Shared codes the C API header fusop_codes.h is generated from.
CODE_SOURCES := assembly/shared/codes.ts assembly/shared/image-codes.ts

.PHONY: all wasm firmware addon host deps test demo bench clean
all: wasm firmware addon host
include test/firmware/firmware.mk
include runtime-c/library.mk

deps:
	$(Q)bash .ci/install-deps

$(WASM): $(AS_SOURCES) scripts/check-wasm.mjs
	@mkdir -p $(BUILD)
	$(call step,ASC,$@)
	$(Q)npx asc assembly/index.ts -o $@ -t $(BUILD)/fusop.wat $(ASC_FLAGS)
	$(Q)node scripts/check-wasm.mjs $@ $(LINEAR_BYTES) $(GEN)/linear_layout.h $(QUIET_OUT)

$(WASM_TIER1): $(WASM) scripts/instrument-tier1.mjs
	$(call step,TIER1,$@)
	$(Q)node scripts/instrument-tier1.mjs $(WASM) $@ $(QUIET_OUT)

wasm: $(WASM) $(WASM_TIER1)

$(GEN)/fusop.c: $(WASM) scripts/shape-wasm2c.mjs
	@mkdir -p $(GEN)
	$(call step,WASM2C,$@)
	$(Q)wasm2c $(WASM) -n fusop -o $@
	$(Q)node scripts/shape-wasm2c.mjs $@
	$(Q)cp /usr/include/wasm-rt.h $(GEN)/wasm-rt.h

# Also writes fusop_api.h, fusop_api.json, fusop_generated.h and fusop_codes.h next to it.
$(GEN)/fusop_api.c: $(GEN)/fusop.c scripts/gen-c-api.mjs $(CODE_SOURCES) runtime-c/probe-exports.json
	$(call step,GEN,$@)
	$(Q)node scripts/gen-c-api.mjs $(GEN)/fusop.h $(GEN)/fusop_api.h $@ runtime-c/probe-exports.json $(QUIET_OUT)

$(GEN)/allowlist.h: runtime-c/allowlist.json scripts/gen-allowlist.mjs
	@mkdir -p $(GEN)
	$(call step,GEN,$@)
	$(Q)node scripts/gen-allowlist.mjs $< $@ $(QUIET_OUT)

# The field loader's rules (wasm module, firmware) live in their own file.
include runtime-c/loader.mk

$(FW)/fusop-probe.elf: $(GEN)/allowlist.h $(PROBE_SOURCES) linker/stm32wb55xg.ld linker/stm32wb-common.ld $(wildcard runtime-c/*.h runtime-c/include/*.h)
	@mkdir -p $(FW)
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_GENERATED) -c $(GEN)/fusop.c -o $(FW)/fusop.o
	$(Q)$(CROSS)gcc $(C_RUNTIME) -DFUSOP_KEEP_API -c $(GEN)/fusop_api.c -o $(FW)/fusop_api.o
	$(Q)for f in $(RT_SOURCES) runtime-c/startup.c runtime-c/probe_main.c; do \
	  $(CROSS)gcc $(C_RUNTIME) -c $$f -o $(FW)/$$(basename $$f .c).o || exit 1; done
	$(Q)$(CROSS)gcc $(C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Wl,-Map=$(FW)/fusop-probe.map -Llinker -T linker/stm32wb55xg.ld \
	  $(PROBE_OBJECTS) -o $@
	$(Q)$(CROSS)objcopy -O binary $@ $(FW)/fusop-probe.bin
	$(Q)$(CROSS)objcopy -O ihex $@ $(FW)/fusop-probe.hex
	$(Q)$(CROSS)size $@ $(QUIET_OUT)

# The probe linked for SRAM1, for debug probes (runtime-c/probe-ram.mk).
include runtime-c/probe-ram.mk

# The probe for the other variants the simulator runs on tier 2: the same sources with the
# variant's facts (runtime-c/device_config.h) and linker script. $(1) name, $(2) defines.
define VARIANT_PROBE
$(FW)/$(1)/fusop-probe.elf: $(GEN)/allowlist.h $(PROBE_SOURCES) linker/$(1).ld linker/stm32wb-common.ld $(wildcard runtime-c/*.h runtime-c/include/*.h)
	@mkdir -p $(FW)/$(1)
	$$(call step,CC,$$@)
	$(Q)$(CROSS)gcc $(C_GENERATED) -c $(GEN)/fusop.c -o $(FW)/$(1)/fusop.o
	$(Q)$(CROSS)gcc $(C_RUNTIME) -DFUSOP_KEEP_API -c $(GEN)/fusop_api.c -o $(FW)/$(1)/fusop_api.o
	$(Q)for f in $(RT_SOURCES) runtime-c/startup.c runtime-c/probe_main.c; do \
	  $(CROSS)gcc $(C_RUNTIME) $(2) -c $$$$f -o $(FW)/$(1)/$$$$(basename $$$$f .c).o || exit 1; done
	$(Q)$(CROSS)gcc $(C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Wl,-Map=$(FW)/$(1)/fusop-probe.map -Llinker -T linker/$(1).ld \
	  $(patsubst $(FW)/%,$(FW)/$(1)/%,$(PROBE_OBJECTS)) -o $$@
	$(Q)$(CROSS)size $$@ $(QUIET_OUT)
endef
$(eval $(call VARIANT_PROBE,stm32wb35xe,-DFUSOP_FLASH_BYTES=0x80000u))
$(eval $(call VARIANT_PROBE,stm32wb15cc,-DFUSOP_FLASH_BYTES=0x50000u -DFUSOP_FLASH_SECTOR_BYTES=2048u -DFUSOP_SRAM2A_OPEN_END=0x20036800u -DFUSOP_SRAM2B_OPEN_END=0x20038000u))
VARIANT_PROBES := $(FW)/stm32wb35xe/fusop-probe.elf $(FW)/stm32wb15cc/fusop-probe.elf

firmware: $(FW)/fusop-probe.elf $(VARIANT_PROBES)

$(ADDON): host-sim/native/unicorn_addon.cc host-sim/native/binding.gyp
	$(call step,ADDON,$@)
	$(Q)cd host-sim/native && npx node-gyp rebuild --nodedir=/usr --silent $(QUIET_OUT)

addon: $(ADDON)

# The TypeScript build, then the CLI bundled into one file (dist/fusop.js, the package's `fusop`),
# the API bundle (dist/api.js) and its type declarations.
host:
	$(call step,TSC,dist/)
	$(Q)npx tsc -p tsconfig.json
	$(call step,ROLLUP,dist/fusop.js dist/api.js)
	$(Q)npx rollup -c rollup.config.mjs --silent
	$(call step,TYPES,dist/types/)
	$(Q)npx tsc -p tsconfig.types.json
	$(Q)chmod +x dist/cli/main.js dist/fusop.js

# The tests are type-checked first (tsconfig.test.json), then run.
test: deps all
	$(call step,TSC,tests)
	$(Q)npx tsc -p tsconfig.test.json
	$(Q)npx vitest run

# The slow tier-2 tests too: the field loader behind `sim serve --pty` with lrzsz at the line's real
# speed (test/serve/: refusals and power loss take minutes of wall time; `make test` runs the rest).
test-slow: deps all
	$(Q)FUSOP_SLOW_TESTS=1 npx vitest run test/serve

demo: deps all
	$(Q)node dist/fusop.js demo

include bench/baselines.mk

bench: all
	$(Q)node dist/bench/run.js

# `make campaign` and `make fuzz`.
include bench/campaign.mk

clean:
	rm -rf $(BUILD) dist host-sim/native/build
