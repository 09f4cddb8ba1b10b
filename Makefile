# evack: the user-facing commands. CMake does the building; this file only
# wraps it (and installs the Debian packages first when they are missing).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# Tests mostly wait (deadlines, peers, client processes): twice as many as
# cores keeps the machine busy (measured: the live fuzzer's 92 tests take
# 196 s at 4 on 2 cores, about 330 s at 2).
TEST_JOBS  ?= $(shell echo $$(( $(JOBS) * 2 )))
CMAKE_ARGS ?=
EVACK      := $(BUILD)/evack

# A bare `make` builds evack and its tests, never the fuzz targets (whose
# rules, included below, would otherwise come first).
.DEFAULT_GOAL := all

.PHONY: all build deps test test-asan clean conformance conformance-client fuzz-live bench install package

# Variables every conformance target accepts (HARNESS.md).
TARGET   ?=
PROFILE  ?= seed
CASES    ?=
EXCLUDE  ?=
REPORT   ?=
HEADERS  ?=
BASELINE ?=
CLIENT   ?=
SUITE_ARGS = --profile '$(PROFILE)' $(if $(CASES),--cases '$(CASES)') \
             $(if $(EXCLUDE),--exclude '$(EXCLUDE)') $(if $(REPORT),--report '$(REPORT)') \
             $(if $(BASELINE),--baseline '$(BASELINE)') $(if $(HEADERS),--header "$$EVK_HEADERS") \
             $(EVACK_ARGS)

all: build

deps:
	@scripts/ensure-deps.sh build

build: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@scripts/ensure-deps.sh test
	ctest --test-dir $(BUILD) --output-on-failure -j $(TEST_JOBS)

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan:
	@$(MAKE) --no-print-directory test BUILD=$(ASAN_BUILD) CMAKE_ARGS="-DEVK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

# The suite against a server (TARGET=ws://...), or the embedded reference server.
conformance: build
	@EVK_HEADERS='$(HEADERS)' $(EVACK) $(SUITE_ARGS) $(TARGET)

# The suite against a client: CLIENT='cmd ... {url}' (started per case); without
# CLIENT, evack listens and prints the URLs to connect a client to by hand.
conformance-client: build
	@$(EVACK) $(if $(CLIENT),--client '$(CLIENT)',--listen) $(SUITE_ARGS)

# Live fuzzing of a running implementation; findings are replayable files.
# DURATION= on the command line wins; make fuzz-overnight has its own default.
fuzz-live: DURATION ?= 60s
FINDINGS ?= findings
fuzz-live: build
	@test -n '$(TARGET)' || { echo "evack: fuzz-live needs TARGET=ws://host:port/path" >&2; exit 2; }
	@EVK_HEADERS='$(HEADERS)' $(EVACK) fuzz-live '$(TARGET)' --duration '$(DURATION)' --findings '$(FINDINGS)' \
		--profile '$(PROFILE)' $(if $(HEADERS),--header "$$EVK_HEADERS") $(EVACK_ARGS)

# Fuzzing the core in-process (make fuzz, make fuzz-overnight) lives with the fuzzers.
include fuzz/fuzz.mk

# The performance figures (docs in bench/bench.sh): ratios and counts, never timed tests.
bench: build
	@sh bench/bench.sh $(BUILD)

# Install evack and its manual page (evack(1)) under PREFIX; DESTDIR stages
# the files elsewhere (e.g. for a package): make install PREFIX=/usr DESTDIR=/tmp/x
PREFIX  ?= /usr/local
DESTDIR ?=
install: build
	@DESTDIR='$(if $(DESTDIR),$(abspath $(DESTDIR)))' cmake --install $(BUILD) --prefix '$(PREFIX)'

# The Debian package (CPack): $(BUILD)/evack_<version>_<arch>.deb, with the
# same two files under /usr and Depends computed by dpkg-shlibdeps.
package: build
	@scripts/ensure-deps.sh package
	@cmake --build $(BUILD) --target package

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
