# Build the eBPF counter. The object ships in the package (src/trunkline/xdp/counter.bpf.o), so users
# need no compiler; tests/test_bpf_build.py rebuilds it into a temporary directory (make bpf OUT=DIR)
# and checks that the result is byte-identical to the shipped object. The flags are path-independent:
# clang runs in the source directory and -fdebug-prefix-map turns that directory into "." in the
# debug info, so the bytes depend only on the sources, the system headers and the clang version
# (Debian 12's clang 14).
CLANG ?= clang
# The clang that built the shipped object (first line of `clang --version`); a rebuild is byte-identical
# only with it, and tests/test_bpf_build.py says so when another one is installed.
SHIPPED_OBJECT_CLANG := Debian clang version 14.0.6
ARCH_INCLUDE := /usr/include/$(shell uname -m)-linux-gnu
XDP_DIR := src/trunkline/xdp
OUT ?= $(XDP_DIR)
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -I$(ARCH_INCLUDE) -fno-ident

.PHONY: bpf
bpf: $(OUT)/counter.bpf.o

$(OUT)/counter.bpf.o: $(XDP_DIR)/counter.bpf.c $(XDP_DIR)/counter.h
	mkdir -p $(OUT)
	cd $(XDP_DIR) && $(CLANG) $(BPF_CFLAGS) -fdebug-prefix-map=$$(pwd)=. -c counter.bpf.c -o $(abspath $(OUT))/counter.bpf.o

# The documentation site (docs/, Sphinx + MyST + Furo; `./quickstart.sh test` installs them). The CLI
# reference docs/cli.md is written by typer's own generator: rerun `make cli-docs` after changing a help
# text (tests/test_docs_site.py fails until then).
VENV ?= .venv
CLI_DOC ?= docs/cli.md
.PHONY: docs cli-docs
docs: cli-docs
	$(VENV)/bin/sphinx-build -W -b html docs docs/_build/html

cli-docs:
	$(VENV)/bin/typer trunkline.cli utils docs --name trunkline --title "Command-line reference" --output $(CLI_DOC)
