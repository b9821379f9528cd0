# The README's two commands live here. Both install what they need first (scripts/install-deps.sh).
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)

.PHONY: demo test build deps deps-build clean

deps:
	bash scripts/install-deps.sh all

deps-build:
	bash scripts/install-deps.sh build

build: deps-build
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/synack demo

# Every tier: unit, script, sim, interop (root + namespaces), fuzz (brief), under a plain and a
# sanitizer build.
test: deps
	bash scripts/test-all.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
