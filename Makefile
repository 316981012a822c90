# gridledger: build, test, bench, install. See README.md.
#
#   make            build everything (build/)
#   make deps       install the Debian packages the build and tests need
#   make test       unit + fuzz-corpus replay + integration tests; SANITIZE=1 for ASan+UBSan
#   make bench      benchmarks, one table
#   make demo       the main job on the embedded default
#   make fuzz       libFuzzer targets (clang, ASan + UBSan aborting) in build-fuzz/
#   make fuzz-smoke each fuzz target for FUZZ_SMOKE_S (20) seconds from its corpus
#   make check-layers  the per-layer include paths refuse core -> hal/firmware, hal -> firmware
#   make install PREFIX=/usr DESTDIR=/tmp/pkg

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g
SANITIZE ?= 0
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined,float-cast-overflow
else
BUILD ?= build
SAN_FLAGS :=
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
        -Wvla -Wpointer-arith -Wcast-qual -Wundef
DEFS := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
SYSROOT_CFLAGS ?= $(shell pkg-config --cflags libmodbus 2>/dev/null || echo -I/usr/include/modbus)
# Include paths per layer, so the compiler holds core <- hal <- firmware: core
# sees only include/, hal include/ and hal/, firmware (and tools, tests)
# everything. A core file including a hal or firmware header does not compile
# (`make check-layers` proves it).
INC_CORE := -Iinclude
INC_HAL := -Iinclude -iquote hal
INC_FW := -Iinclude -iquote hal -iquote firmware
LAYER_INC = $(INC_FW)
ALL_CFLAGS = -std=c11 $(DEFS) $(WARN) $(LAYER_INC) $(SYSROOT_CFLAGS) \
             $(CFLAGS) $(SAN_FLAGS) -MMD -MP
LDLIBS_FW := -lmodbus -lsqlite3 -lmbedtls -lmbedx509 -lmbedcrypto -lcjson -lpthread -lm
LDLIBS_BO := -lcurl -lmicrohttpd -lsodium -lmosquitto -lpq -lxlsxwriter -lsqlite3 -lmbedcrypto -lcjson -lpthread -lm
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

CORE_SRC := $(sort $(wildcard core/*.c))
HAL_SRC := $(sort $(wildcard hal/*.c))
FW_SRC := $(filter-out firmware/main.c,$(sort $(wildcard firmware/*.c)))
SIM_SRC := $(sort $(wildcard tools/metersim/*.c))
SCEN_SRC := $(sort $(wildcard tools/scenario/*.c))
BO_SRC := $(sort $(wildcard tools/backoffice/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard tools/bench/bench_*.c))
TTOOL_SRC := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CORE_LIB := $(BUILD)/libglcore.a
HAL_LIB := $(BUILD)/libglhal.a
FW_LIB := $(BUILD)/libglfw.a
LIBS := $(FW_LIB) $(HAL_LIB) $(CORE_LIB)

GRIDLEDGER := $(BUILD)/gridledger
METERSIM := $(BUILD)/metersim
SCENGEN := $(BUILD)/scenario-gen
BACKOFFICE := $(BUILD)/gridledger-backoffice
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
REPLAY_BINS := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/tests/fuzz/replay_%,$(FUZZ_SRC))
BENCH_BINS := $(patsubst tools/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TTOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TTOOL_SRC))
PROGRAMS := $(GRIDLEDGER) $(if $(SIM_SRC),$(METERSIM)) $(if $(BO_SRC),$(BACKOFFICE))

.PHONY: all deps test unit bench demo install clean check-deps cross test-cross
all: $(PROGRAMS)

$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(BUILD)/obj/core/%.o: LAYER_INC = $(INC_CORE)
$(BUILD)/obj/hal/%.o: LAYER_INC = $(INC_HAL)
# the meter simulator links hal and core only
$(BUILD)/obj/tools/metersim/%.o: LAYER_INC = $(INC_HAL)

$(CORE_LIB): $(call obj,$(CORE_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(HAL_LIB): $(call obj,$(HAL_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(FW_LIB): $(call obj,$(FW_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(GRIDLEDGER): $(call obj,firmware/main.c) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_FW)
$(METERSIM): $(call obj,$(SIM_SRC)) $(HAL_LIB) $(CORE_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_FW)
# the scenario generator of tests/integration/credit_scenario.sh (needs no library)
$(SCENGEN): $(call obj,$(SCEN_SRC))
	$(CC) $(ALL_LDFLAGS) -o $@ $^
$(BACKOFFICE): $(call obj,$(BO_SRC)) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_BO) $(LDLIBS_FW)

$(BUILD)/tests/unit/%: $(call obj,tests/unit/%.c) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS_FW)

# Back-office unit tests (test_bo_*.c) also link the back office's modules.
BO_MOD_OBJ = $(call obj,$(filter-out tools/backoffice/main.c,$(BO_SRC)))
$(BUILD)/tests/unit/test_bo_%: $(call obj,tests/unit/test_bo_%.c) $(BO_MOD_OBJ) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS_BO) $(LDLIBS_FW)

# Fuzz targets built with the normal compiler and a replay main: `make test`
# runs every saved input of tests/fuzz/corpus/NAME/ through them.
$(BUILD)/tests/fuzz/replay_%: $(call obj,tests/fuzz/fuzz_%.c) $(call obj,tests/fuzz/replay_main.c) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_FW)

# helper programs the integration tests drive (tests/tools/NAME.c)
$(BUILD)/tests/tools/%: $(call obj,tests/tools/%.c) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_FW)

$(BUILD)/bench/%: $(call obj,tools/bench/%.c) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_FW)

# the console's API (fuzz_console.c) and the outage notices (fuzz_bo_outage.c)
# link the back office's modules and libraries
BO_FUZZ := console bo_outage
$(patsubst %,$(BUILD)/tests/fuzz/replay_%,$(BO_FUZZ)): $(BUILD)/tests/fuzz/replay_%: $(call obj,tests/fuzz/fuzz_%.c) $(call obj,tests/fuzz/replay_main.c) $(BO_MOD_OBJ) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_BO) $(LDLIBS_FW)

# tests/fuzz/replay_main.c is not a fuzz target itself
$(call obj,tests/fuzz/replay_main.c): tests/fuzz/replay_main.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

deps:
	@tools/deps.sh

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) build-tests
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

.PHONY: build-tests build-unit-tests build-gw-unit-tests
build-tests: $(PROGRAMS) $(UNIT_BINS) $(REPLAY_BINS) $(TTOOL_BINS) $(if $(SCEN_SRC),$(SCENGEN))
build-unit-tests: $(UNIT_BINS)
# the gateway's unit tests only (the ARM cross build: the back office runs on a server)
build-gw-unit-tests: $(filter-out $(BUILD)/tests/unit/test_bo_%,$(UNIT_BINS))

# ARM: make cross ARCH=aarch64|armhf ; make test-cross ARCH=... (qemu-user)
ARCH ?= aarch64
cross:
	@tools/cross.sh build $(ARCH)
test-cross:
	@tools/cross.sh test $(ARCH)

bench: deps
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=0 all $(BENCH_BINS)
	@BUILD=build tools/bench/run.sh

demo: deps
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZE=0 all
	@BUILD=build tools/demo.sh

# libFuzzer targets, ASan and UBSan aborting on the first report (no recover
# mode: a float-cast overflow stops the run like a crash). The libraries are
# compiled once into build-fuzz/obj; each target links them.
FUZZ_DIR := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 $(DEFS) $(LAYER_INC) $(SYSROOT_CFLAGS) -g -O1 $(FUZZ_SAN)
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(CORE_SRC) $(HAL_SRC) $(FW_SRC))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))
FUZZ_SMOKE_S ?= 20

$(FUZZ_DIR)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_DIR)/obj/core/%.o: LAYER_INC = $(INC_CORE)
$(FUZZ_DIR)/obj/hal/%.o: LAYER_INC = $(INC_HAL)
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_FW)
# the console's request handling and the outage notices link the back office's modules
FUZZ_BO_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out tools/backoffice/main.c,$(BO_SRC)))
$(patsubst %,$(FUZZ_DIR)/fuzz_%,$(BO_FUZZ)): $(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BO_OBJ) $(FUZZ_LIB_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_BO) $(LDLIBS_FW)

.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_BO_OBJ)
.PHONY: fuzz fuzz-smoke
fuzz: $(FUZZ_BINS)

# every target for FUZZ_SMOKE_S seconds from its saved corpus (CI: tests/run.sh)
fuzz-smoke: $(FUZZ_BINS)
	@tests/fuzz/smoke.sh $(FUZZ_SMOKE_S) $(FUZZ_BINS)

# check-layers: the include paths hold the layers (tests/integration/layers.sh:
# a core file including a hal or firmware header, or a hal file including a
# firmware one, fails to compile; every public and hal header compiles alone)
.PHONY: check-layers print-cc-core print-cc-hal print-cc-firmware
check-layers:
	@BUILD=$(BUILD) tests/integration/layers.sh
print-cc-core: LAYER_INC = $(INC_CORE)
print-cc-hal: LAYER_INC = $(INC_HAL)
print-cc-core print-cc-hal print-cc-firmware:
	@echo '$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS))'

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/gridledger/examples
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 examples/*.json $(DESTDIR)$(PREFIX)/share/gridledger/examples/
	install -d $(DESTDIR)$(PREFIX)/share/gridledger/console
	install -m 0644 tools/backoffice/console/* $(DESTDIR)$(PREFIX)/share/gridledger/console/

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
