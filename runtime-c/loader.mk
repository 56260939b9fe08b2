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

# The code names the console prints, as bytes (committed; regenerated when the codes change).
assembly/loader/code-names.ts: assembly/shared/codes.ts assembly/loader/codes.ts scripts/gen-loader-names.mjs
	$(call step,GEN,$@)
	$(Q)node scripts/gen-loader-names.mjs $@

$(LOADER_WASM): $(AS_SOURCES) assembly/loader/code-names.ts scripts/check-wasm.mjs
	@mkdir -p $(BUILD)
	$(call step,ASC,$@)
	$(Q)npx asc assembly/loader/index.ts -o $@ -t $(BUILD)/fusop-loader.wat $(LOADER_ASC_FLAGS)
	$(Q)node scripts/check-wasm.mjs $@ $(LOADER_LINEAR_BYTES) $(LOADER_GEN)/linear_layout.h $(QUIET_OUT)

$(LOADER_WASM_TIER1): $(LOADER_WASM) scripts/instrument-tier1.mjs
	$(call step,TIER1,$@)
	$(Q)node scripts/instrument-tier1.mjs $(LOADER_WASM) $@

wasm: $(LOADER_WASM) $(LOADER_WASM_TIER1)

# ---- the loader firmware: build/fw/<variant>/fusop-loader.{elf,bin,hex}, linked at 0x08000000 ----
# The loader module goes through wasm2c and the C API generator into $(LOADER_GEN) (its own
# fusop.c, fusop_api.h, fusop_generated.h), which comes before $(GEN) on the include path; the runtime,
# the hal and startup are the probe's sources, built with the loader's linear-memory size.

LOADER_C_COMMON := $(subst -I$(GEN),-I$(LOADER_GEN) -I$(GEN),$(subst -DFUSOP_LINEAR_BYTES=$(LINEAR_BYTES),-DFUSOP_LINEAR_BYTES=$(LOADER_LINEAR_BYTES),$(C_COMMON)))
# Built as the probe's generated C is (Makefile C_GENERATED): -Os with wasm2c's helpers shaped inline.
LOADER_C_GENERATED := $(LOADER_C_COMMON) -Os -Wno-unused-value -Wno-unused-function -Wno-unused-parameter \
  -Wno-unused-but-set-variable -Wno-unused-variable -Wno-sign-compare
LOADER_C_RUNTIME := $(LOADER_C_COMMON) -Os -Werror
# small_mem.c: memcpy/memset in ~130 bytes instead of newlib's 470 (the loader's 16 KiB budget).
LOADER_C_SOURCES := $(RT_SOURCES) runtime-c/startup.c runtime-c/clock.c runtime-c/usart.c runtime-c/loader_main.c runtime-c/small_mem.c
# The parts' builds, and two builds of the console options (README there, "Console line"): LPUART1
# instead of USART1, at 57600 bit/s instead of 115200; USART1 at 921600 bit/s, where blocks are
# programmed before they are acknowledged (assembly/loader/transfer.ts "program ahead").
LOADER_VARIANTS := stm32wb55xg stm32wb55xe stm32wb35xe stm32wb15cc stm32wb55xg-lpuart1-57600 stm32wb55xg-921600

$(LOADER_GEN)/fusop.c: $(LOADER_WASM) scripts/shape-wasm2c.mjs
	@mkdir -p $(LOADER_GEN)
	$(call step,WASM2C,$@)
	$(Q)wasm2c $(LOADER_WASM) -n fusop -o $@
	$(Q)node scripts/shape-wasm2c.mjs $@
	$(Q)cp /usr/include/wasm-rt.h $(LOADER_GEN)/wasm-rt.h

$(LOADER_GEN)/fusop_api.c: $(LOADER_GEN)/fusop.c scripts/gen-c-api.mjs $(CODE_SOURCES)
	$(call step,GEN,$@)
	$(Q)node scripts/gen-c-api.mjs $(LOADER_GEN)/fusop.h $(LOADER_GEN)/fusop_api.h $@ $(QUIET_OUT)

# $(1) the build's directory under $(FW), $(2) its defines (the part's as for its probe, then console
# options), $(3) the part whose linker script it takes when $(1) is not a part's name.
define LOADER_FIRMWARE
$(FW)/$(1)/fusop-loader.elf: $(GEN)/allowlist.h $(LOADER_GEN)/fusop_api.c $(LOADER_C_SOURCES) linker/$(or $(3),$(1))-loader.ld linker/stm32wb-common.ld $(wildcard runtime-c/*.h runtime-c/include/*.h)
	@mkdir -p $(FW)/$(1)/loader
	$$(call step,CC,$$@)
	$(Q)$(CROSS)gcc $(LOADER_C_GENERATED) -c $(LOADER_GEN)/fusop.c -o $(FW)/$(1)/loader/fusop.o
	$(Q)$(CROSS)gcc $(LOADER_C_RUNTIME) -c $(LOADER_GEN)/fusop_api.c -o $(FW)/$(1)/loader/fusop_api.o
	$(Q)for f in $(LOADER_C_SOURCES); do \
	  $(CROSS)gcc $(LOADER_C_RUNTIME) $(2) -c $$$$f -o $(FW)/$(1)/loader/$$$$(basename $$$$f .c).o || exit 1; done
	$(Q)$(CROSS)gcc $(LOADER_C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Wl,-Map=$(FW)/$(1)/fusop-loader.map -Llinker -T linker/$(or $(3),$(1))-loader.ld \
	  $(FW)/$(1)/loader/fusop.o $(FW)/$(1)/loader/fusop_api.o \
	  $(patsubst runtime-c/%.c,$(FW)/$(1)/loader/%.o,$(LOADER_C_SOURCES)) -o $$@
	$(Q)$(CROSS)objcopy -O binary $$@ $(FW)/$(1)/fusop-loader.bin
	$(Q)$(CROSS)objcopy -O ihex $$@ $(FW)/$(1)/fusop-loader.hex
	$(Q)$(CROSS)size $$@ $(QUIET_OUT)
endef
$(eval $(call LOADER_FIRMWARE,stm32wb55xg,))
$(eval $(call LOADER_FIRMWARE,stm32wb55xe,-DFUSOP_FLASH_BYTES=0x80000u))
$(eval $(call LOADER_FIRMWARE,stm32wb35xe,-DFUSOP_FLASH_BYTES=0x80000u))
$(eval $(call LOADER_FIRMWARE,stm32wb15cc,-DFUSOP_FLASH_BYTES=0x50000u -DFUSOP_FLASH_SECTOR_BYTES=2048u -DFUSOP_SRAM2A_OPEN_END=0x20036800u -DFUSOP_SRAM2B_OPEN_END=0x20038000u))
$(eval $(call LOADER_FIRMWARE,stm32wb55xg-lpuart1-57600,-DFUSOP_CONSOLE_LPUART1 -DFUSOP_CONSOLE_BAUD=57600u,stm32wb55xg))
$(eval $(call LOADER_FIRMWARE,stm32wb55xg-921600,-DFUSOP_CONSOLE_BAUD=921600u,stm32wb55xg))

firmware: $(foreach variant,$(LOADER_VARIANTS),$(FW)/$(variant)/fusop-loader.elf)
