# The README's two commands live here. Both install what they need first (scripts/install-deps.sh).
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)

PREFIX ?= /usr/local

.PHONY: demo test build deps deps-build deps-docs deps-lab lab install docs clean

deps:
	bash scripts/install-deps.sh all

deps-build:
	bash scripts/install-deps.sh build

build: deps-build
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps-docs:
	bash scripts/install-deps.sh docs

# Headers, libsynack and libsynack_os (static and shared), pkg-config files, the CMake package, the
# synack command and its man pages, under $(PREFIX) (DESTDIR=... stages a package).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The API reference from include/synack/ (Doxygen): $(BUILD)/docs/html/index.html. Fails on an
# undocumented public symbol.
docs: deps-docs
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) --target docs

deps-lab:
	bash scripts/install-deps.sh lab

# The TCP lab: the stack compiled to WebAssembly and its static page, in $(BUILD)/lab/ (open
# $(BUILD)/lab/index.html in a browser; no server needed).
lab: deps-lab
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) --target lab
	@echo "The lab: $(BUILD)/lab/index.html"

demo: build
	./$(BUILD)/synack demo

# Every tier: unit, script, sim, interop (root + namespaces), fuzz (brief), under a plain and a
# sanitizer build.
test: deps
	bash scripts/test-all.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
