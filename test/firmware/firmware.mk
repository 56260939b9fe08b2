# Test firmwares of the project's own (C, run through `fusop sim run` by test/sim-run/): included by
# the Makefile. Each is startup.c + console.c + its own file, linked with firmware.ld.
TEST_FW_DIR := test/firmware
TEST_FW_OUT := $(BUILD)/test-firmware
TEST_FW_NAMES := ipcc-boot clock-64mhz watchdog-reset systick-interrupt
TEST_FW_ELFS := $(patsubst %,$(TEST_FW_OUT)/%.elf,$(TEST_FW_NAMES))
TEST_FW_COMMON := $(TEST_FW_DIR)/startup.c $(TEST_FW_DIR)/console.c $(TEST_FW_DIR)/st_tl.c
TEST_FW_FLAGS := $(CPU_FLAGS) -Os -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
  -nostartfiles -specs=nano.specs -specs=nosys.specs -Wl,--gc-sections -T $(TEST_FW_DIR)/firmware.ld

.PHONY: test-firmware
# The clock firmware also as Intel HEX, to run the HEX loader of `fusop sim run`.
test-firmware: $(TEST_FW_ELFS) $(TEST_FW_OUT)/clock-64mhz.hex
all: test-firmware

$(TEST_FW_OUT)/%.hex: $(TEST_FW_OUT)/%.elf
	$(call step,OBJCOPY,$@)
	$(Q)$(CROSS)objcopy -O ihex $< $@

$(TEST_FW_OUT)/%.elf: $(TEST_FW_DIR)/%.c $(TEST_FW_COMMON) $(TEST_FW_DIR)/firmware.ld $(wildcard $(TEST_FW_DIR)/*.h)
	@mkdir -p $(TEST_FW_OUT)
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(TEST_FW_FLAGS) $< $(TEST_FW_COMMON) $(TEST_FW_EXTRA) -o $@

# The clock firmware runs the loader's and the example's clock code itself.
$(TEST_FW_OUT)/clock-64mhz.elf: TEST_FW_EXTRA := runtime-c/clock.c -Iruntime-c
$(TEST_FW_OUT)/clock-64mhz.elf: runtime-c/clock.c runtime-c/clock.h
