# The probe firmware linked to run from SRAM1 (linker/stm32wb55xg-ram.ld): what fusop's --gdb target
# loads through a debug probe, so that nothing is written to the part's flash but staged images.
# The flash probe's objects but its API table: the exports the PC calls through the probe
# (runtime-c/probe-exports.json, FUSOP_PROBE_API) rather than every one (tier 2's flash probe, which
# tests drive through the whole API). Included by the Makefile.

PROBE_RAM_ELF := $(FW)/fusop-probe-ram.elf
PROBE_RAM_API_OBJECT := $(FW)/ram/fusop_api.o

$(PROBE_RAM_API_OBJECT): $(GEN)/fusop_api.c $(wildcard runtime-c/*.h runtime-c/include/*.h)
	@mkdir -p $(FW)/ram
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_RUNTIME) -DFUSOP_PROBE_API -c $(GEN)/fusop_api.c -o $@

$(PROBE_RAM_ELF): $(FW)/fusop-probe.elf $(PROBE_RAM_API_OBJECT) linker/stm32wb55xg-ram.ld
	$(call step,LD,$@)
	$(Q)$(CROSS)gcc $(C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Wl,-Map=$(FW)/fusop-probe-ram.map -T linker/stm32wb55xg-ram.ld \
	  $(filter-out $(FW)/fusop_api.o,$(PROBE_OBJECTS)) $(PROBE_RAM_API_OBJECT) -o $@
	$(Q)$(CROSS)size $@ $(QUIET_OUT)

firmware: $(PROBE_RAM_ELF)
