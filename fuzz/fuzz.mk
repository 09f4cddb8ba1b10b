# Fuzzing commands, included by the root Makefile (docs/fuzzing.md).
#
#   make fuzz                        each target FUZZ_SECONDS (60) on one core
#   make fuzz FUZZ_TARGETS=session   only some targets
#   make fuzz-overnight              all cores for DURATION (default 8h),
#                                    corpus kept and minimised
#
# A finding is saved under $(FUZZ_FINDINGS)/<target>/, printed with the
# command that reproduces it, and fails the command.
FUZZ_BUILD    ?= build-fuzz
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  ?= $(shell sed '/^\#/d' fuzz/targets.txt)
FUZZ_WORK     ?= $(FUZZ_BUILD)/fuzz-work
FUZZ_FINDINGS ?= findings/fuzz

.PHONY: fuzz fuzz-build fuzz-overnight

# A clang build with -DEVK_FUZZ=ON (it fetches cJSON's source on first use).
fuzz-build:
	@scripts/ensure-deps.sh build
	@scripts/ensure-deps.sh fuzz
	@test -f $(FUZZ_BUILD)/CMakeCache.txt || \
	  CC=clang cmake -S . -B $(FUZZ_BUILD) -DEVK_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@sh fuzz/run.sh short $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_WORK)/short $(FUZZ_FINDINGS) $(FUZZ_TARGETS)

# DURATION= on the command line wins; fuzz-live's default is its own (Makefile).
fuzz-overnight: DURATION ?= 8h
fuzz-overnight: fuzz-build
	@sh fuzz/run.sh overnight $(FUZZ_BUILD) $(DURATION) $(JOBS) $(FUZZ_WORK)/overnight \
	  $(FUZZ_FINDINGS) $(FUZZ_TARGETS)
