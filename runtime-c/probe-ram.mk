# The probe firmware linked to run from SRAM1 (linker/stm32wb55xg-ram.ld): what fusop's --gdb target
# loads through a debug probe, so that nothing is written to the part's flash but staged images.
# The same objects as the flash probe, linked again. Included by the Makefile.

PROBE_RAM_ELF := $(FW)/fusop-probe-ram.elf

$(PROBE_RAM_ELF): $(FW)/fusop-probe.elf linker/stm32wb55xg-ram.ld
	$(call step,LD,$@)
	$(Q)$(CROSS)gcc $(C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Wl,-Map=$(FW)/fusop-probe-ram.map -T linker/stm32wb55xg-ram.ld \
	  $(PROBE_OBJECTS) -o $@
	$(Q)$(CROSS)size $@ $(QUIET_OUT)

firmware: $(PROBE_RAM_ELF)
