# Build the eBPF counter. The object ships in the package (src/trunkline/xdp/counter.bpf.o), so users
# need no compiler; CI rebuilds it (tests/test_bpf_build.py) and checks that it matches the source.
# Flags are path-independent (-fdebug-prefix-map, relative sources) so the bytes are reproducible.
CLANG ?= clang
ARCH_INCLUDE := /usr/include/$(shell uname -m)-linux-gnu
XDP_DIR := src/trunkline/xdp
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -I$(ARCH_INCLUDE) -fno-ident

.PHONY: bpf
bpf: $(XDP_DIR)/counter.bpf.o

$(XDP_DIR)/counter.bpf.o: $(XDP_DIR)/counter.bpf.c $(XDP_DIR)/counter.h
	cd $(XDP_DIR) && $(CLANG) $(BPF_CFLAGS) -fdebug-prefix-map=$$(pwd)=. -c counter.bpf.c -o counter.bpf.o
