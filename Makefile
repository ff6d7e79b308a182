# millet — the two set-up commands are `make run` and `make test` (see README.md).
BUILD_DIR  ?= build
SAN_DIR    ?= build-sanitize
FUZZ_DIR   ?= build-fuzz
DATA_DIR   ?= data
NODE_DIRS  := tests/integration/node web tests/browser
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 600

.PHONY: all deps build sanitized run test fuzz screenshots clean

# The web app (web/, docs/web-app.md): bundled by vite into web/dist, which millet serves.
WEB_SOURCES := web/index.html web/vite.config.js web/package-lock.json $(shell find web/src -type f 2>/dev/null)
web/dist/index.html: $(WEB_SOURCES)
	cd web && npm run --silent build

all: build

deps:
	@tools/install-deps.sh $(NODE_DIRS)

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)
	@$(MAKE) --no-print-directory web/dist/index.html

# The same code built with AddressSanitizer and UBSan; `make test` runs its unit
# tests and the whole integration suite against its millet too.
$(SAN_DIR)/build.ninja:
	cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMILLET_SANITIZE=ON

sanitized: deps $(SAN_DIR)/build.ninja
	cmake --build $(SAN_DIR) -j $(JOBS)

# Starts millet on its defaults: MQTT 127.0.0.1:1883, WebSocket :8083, HTTP :8080, data in ./data,
# with the demo home (made on the first start, simulated on every start; `make run DEMO=`: none).
DEMO       ?= --demo
run: build
	$(BUILD_DIR)/millet serve --data-dir $(DATA_DIR) $(DEMO)

test: build sanitized
	cmake -S . -B $(BUILD_DIR) -DMILLET_SANITIZED_BUILD=$(CURDIR)/$(SAN_DIR) > /dev/null
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Coverage-guided fuzzing of the MQTT codec with libFuzzer (clang); FUZZ_SECONDS per target.
# Findings are written to fuzz/crash-* (git-ignored); add fixed ones to fuzz/corpus/.
fuzz: deps
	CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DMILLET_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target mqtt_codec_fuzzer websocket_fuzzer
	mkdir -p $(FUZZ_DIR)/corpus-mqtt $(FUZZ_DIR)/corpus-websocket
	$(FUZZ_DIR)/fuzz/mqtt_codec_fuzzer -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz/ \
	    $(FUZZ_DIR)/corpus-mqtt fuzz/corpus/mqtt
	$(FUZZ_DIR)/fuzz/websocket_fuzzer -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz/ \
	    $(FUZZ_DIR)/corpus-websocket fuzz/corpus/websocket

# The README's screenshots, from the last browser test run (make test, or ctest -R test_web_app).
screenshots:
	mkdir -p docs/screenshots
	cp $(BUILD_DIR)/screenshots/home.png $(BUILD_DIR)/screenshots/device.png \
	   $(BUILD_DIR)/screenshots/history.png $(BUILD_DIR)/screenshots/automation.png \
	   $(BUILD_DIR)/screenshots/home-phone.png $(BUILD_DIR)/screenshots/assistant.png docs/screenshots/

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(FUZZ_DIR)
