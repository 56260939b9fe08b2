# Hand-written C baselines for the bench (bench/baselines/*.c): never linked into a product. They are
# compiled with the runtime's flags (-Os, the same C_COMMON as the generated C) and linked with the
# probe's objects into a bench-only firmware, so that tier 2 runs them against the same chip, hal and
# linear memory as the operator. Included by the Makefile.
BASELINE_SOURCES := $(wildcard bench/baselines/*.c)
BASELINE_OBJECTS := $(patsubst bench/baselines/%.c,$(FW)/bench/%.o,$(BASELINE_SOURCES))
BASELINE_ENTRIES := bench_footer_decode bench_get_state bench_footer bench_fus_state bench_fus_error \
  bench_cpu2_not_booted bench_cpu2_mode_is_stack fusop_clock_raise fusop_clock_hz fusop_time_set_core_hz Z_halZ_nowUs
# The loader's clock (runtime-c/clock.c) too: the bench stages at the clock the loader runs at.
BENCH_CLOCK_OBJECT := $(FW)/bench/clock.o
BENCH_ELF := $(FW)/bench/fusop-bench.elf

$(FW)/bench/%.o: bench/baselines/%.c $(GEN)/fusop_api.c $(wildcard runtime-c/*.h)
	@mkdir -p $(FW)/bench
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_RUNTIME) -c $< -o $@

$(BENCH_CLOCK_OBJECT): runtime-c/clock.c runtime-c/clock.h
	@mkdir -p $(FW)/bench
	$(call step,CC,$@)
	$(Q)$(CROSS)gcc $(C_RUNTIME) -c $< -o $@

$(BENCH_ELF): $(FW)/fusop-probe.elf $(BASELINE_OBJECTS) $(BENCH_CLOCK_OBJECT)
	$(call step,LD,$@)
	$(Q)$(CROSS)gcc $(C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections $(addprefix -Wl$(comma)--undefined=,$(BASELINE_ENTRIES)) -Llinker -T linker/stm32wb55xg.ld \
	  $(PROBE_OBJECTS) $(BASELINE_OBJECTS) $(BENCH_CLOCK_OBJECT) -o $@

# The smallest useful application (bench/minimal/minimal_app.c): the library without the probe's
# export table, so that only the operator code it reaches is kept.
MINIMAL_ELF := $(FW)/bench/fusop-minimal.elf
$(MINIMAL_ELF): bench/minimal/minimal_app.c $(FW)/libfusop.a
	@mkdir -p $(FW)/bench
	$(call step,LD,$@)
	$(Q)$(CROSS)gcc $(C_RUNTIME) -c $< -o $(FW)/bench/minimal_app.o
	$(Q)$(CROSS)gcc $(C_COMMON) -Os -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -Wl,--gc-sections -Llinker -T linker/stm32wb55xg.ld \
	  $(FW)/startup.o $(FW)/bench/minimal_app.o $(FW)/libfusop.a -o $@

comma := ,
# The tests run the bench firmware too (test/sim-run/loader-clock.test.ts: the hal's time at 64 MHz).
all: $(BENCH_ELF)
bench: $(BENCH_ELF) $(MINIMAL_ELF)
