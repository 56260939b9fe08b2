# The fusop library for applications (included by the Makefile): libfusop.a with objects that carry
# machine code, the source drop build/dist/fusop-src/, and the example application linked without
# LTO as the proof that the archive links anywhere.

LIB_DIR := $(FW)/lib
LIB_RUNTIME := runtime-c/wasm_rt_device.c runtime-c/hal.c runtime-c/fusop_runtime.c runtime-c/fusop_library.c
LIB_OBJECTS := $(LIB_DIR)/fusop.o $(LIB_DIR)/fusop_api.o $(patsubst runtime-c/%.c,$(LIB_DIR)/%.o,$(LIB_RUNTIME))
LIB_HEADERS := $(wildcard runtime-c/*.h runtime-c/include/*.h) $(GEN)/allowlist.h $(GEN)/fusop_api.c
# -ffat-lto-objects: every member holds machine code next to its LTO bytecode, so any
# arm-none-eabi toolchain links it without -flto, and this gcc can still optimise across it with -flto.
LIB_FAT := -ffat-lto-objects

$(LIB_DIR)/fusop.o: $(GEN)/fusop.c
	@mkdir -p $(LIB_DIR)
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_GENERATED) $(LIB_FAT) -c $< -o $@
$(LIB_DIR)/fusop_api.o: $(GEN)/fusop_api.c
	@mkdir -p $(LIB_DIR)
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_RUNTIME) $(LIB_FAT) -c $< -o $@
$(LIB_DIR)/%.o: runtime-c/%.c $(LIB_HEADERS)
	@mkdir -p $(LIB_DIR)
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_RUNTIME) $(LIB_FAT) -c $< -o $@

$(FW)/libfusop.a: $(LIB_OBJECTS)
	$(call step,AR,$@)
	$(Q)rm -f $@
	$(Q)$(CROSS)gcc-ar rcs $@ $^
	$(Q)$(CROSS)size -t $@ | tail -1 $(QUIET_OUT)

# ---- Source drop: what another build system (CubeIDE, IAR, Keil, CMake) compiles itself ----
DIST_SRC := $(BUILD)/dist/fusop-src
# wasm2c's module (fusop.c/fusop.h) is renamed fusop_module.* there: fusop.h is the public header.
DIST_FILES := $(GEN)/wasm-rt.h $(GEN)/fusop_api.c $(GEN)/fusop_api.h \
  $(GEN)/fusop_codes.h $(GEN)/allowlist.h $(GEN)/linear_layout.h \
  $(LIB_RUNTIME) runtime-c/fusop_fault.h runtime-c/device_config.h runtime-c/include/fusop.h \
  runtime-c/fusop-src.mk linker/app-sections.ld linker/app-template.ld linker/stm32wb55xg-app.ld

$(DIST_SRC)/fusop-src.mk: $(DIST_FILES) $(GEN)/fusop.c $(GEN)/fusop.h $(GEN)/fusop_generated.h
	$(call step,GEN,$@)
	$(Q)rm -rf $(DIST_SRC) && mkdir -p $(DIST_SRC)
	$(Q)cp $(DIST_FILES) $(DIST_SRC)/
	$(Q)sed 's/#include "fusop.h"/#include "fusop_module.h"/' $(GEN)/fusop.c > $(DIST_SRC)/fusop_module.c
	$(Q)cp $(GEN)/fusop.h $(DIST_SRC)/fusop_module.h
	$(Q)sed 's/#include "fusop.h"/#include "fusop_module.h"/' $(GEN)/fusop_generated.h > $(DIST_SRC)/fusop_generated.h
	$(Q)echo "-DFUSOP_LINEAR_BYTES=$(LINEAR_BYTES) -DWASM_RT_MAX_CALL_STACK_DEPTH=64" > $(DIST_SRC)/DEFINES
	@# Any C99 compiler: arm-none-eabi-gcc with full warnings, and the host compiler for syntax.
	$(Q)$(MAKE) --no-print-directory -f fusop-src.mk -C $(DIST_SRC) check-c99 CC=$(CROSS)gcc
	$(Q)for f in $(DIST_SRC)/*.c; do gcc -std=c99 -fsyntax-only -w $$(cat $(DIST_SRC)/DEFINES) -I$(DIST_SRC) $$f || exit 1; done

# ---- The example application: 64 MHz, stages an image while the stack runs, installs it ----
EXAMPLE := $(FW)/examples/app_update.elf
EXAMPLE_IMAGE := $(GEN)/example_image.c
# The image it streams: a stack image signed with the simulator's key (only the simulator takes it).
$(EXAMPLE_IMAGE): dist/fusop.js scripts/bytes-to-c.mjs
	$(call step,GEN,$@)
	$(Q)node dist/fusop.js image make --kind stack --version 1.24.1 --size 12288 --family wb5x \
	  --format legacy --stack-type 1 -o $(GEN)/example_image.bin > /dev/null
	$(Q)node scripts/bytes-to-c.mjs $(GEN)/example_image.bin example_image > $@

# Linked with -fno-lto (gcc would otherwise run LTO on its own bytecode through the linker plugin):
# only the machine code of the fat objects is linked, as another toolchain would link it.
$(EXAMPLE): runtime-c/examples/app_update.c runtime-c/clock.c runtime-c/clock.h $(EXAMPLE_IMAGE) $(FW)/libfusop.a linker/stm32wb55xg-app.ld linker/app-sections.ld
	@mkdir -p $(FW)/examples
	$(call step,LD,$@)
	$(Q)$(CROSS)gcc $(CPU_FLAGS) -fno-lto -std=c99 -Os -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
	  -Iruntime-c/include -Iruntime-c -I$(GEN) -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Wl,-Map=$(FW)/examples/app_update.map -Llinker -T linker/stm32wb55xg-app.ld \
	  runtime-c/examples/app_update.c runtime-c/clock.c $(EXAMPLE_IMAGE) $(FW)/libfusop.a -o $@
	$(Q)$(CROSS)size $@ $(QUIET_OUT)

.PHONY: library example
library: $(FW)/libfusop.a $(DIST_SRC)/fusop-src.mk
example: $(EXAMPLE)
firmware: library
# After `host` (the image comes from the built CLI).
all: example

# Test firmwares that link the library (test/sim-run/library.test.ts): one boots CPU2 the ST way
# first, one shows the default fault hook.
LIB_TEST_FW := $(TEST_FW_OUT)/fusop-after-st-boot.elf $(TEST_FW_OUT)/fault-hook.elf
$(LIB_TEST_FW): $(TEST_FW_OUT)/%.elf: test/firmware/%.c $(TEST_FW_COMMON) $(EXAMPLE_IMAGE) $(FW)/libfusop.a linker/stm32wb55xg-app.ld
	@mkdir -p $(TEST_FW_OUT)
	$(call step,LD,$@)
	$(Q)$(CROSS)gcc $(CPU_FLAGS) -Os -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections -nostartfiles \
	  -specs=nano.specs -specs=nosys.specs -Wl,--gc-sections -Iruntime-c/include -I$(GEN) -Llinker -T linker/stm32wb55xg-app.ld \
	  $< $(TEST_FW_COMMON) $(EXAMPLE_IMAGE) $(FW)/libfusop.a -o $@
all: $(LIB_TEST_FW)
