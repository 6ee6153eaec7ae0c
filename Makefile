# pxstats — build, test, demo, bench, install.
#
# Every library source in lib/ goes into libpxstats.a; every tools/<name>.c is
# one program bin/<name>; every tests/unit/test_<module>.c is one cmocka suite.
# New files are picked up by the wildcards below: no list to keep in sync.

# The one place the version is set: every program's --version prints it.
VERSION = 1.0.0

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc

WARN    = -Wall -Wextra -Wpedantic -Wshadow -Werror
STD     = -std=c11 -D_GNU_SOURCE -DPXS_VERSION='"$(VERSION)"'
OPT     ?= -O2 -g
CFLAGS_ALL = $(STD) $(WARN) $(OPT) -Iinclude $(CFLAGS)
LIBS    = -lrrd -lssh2 -ldeflate -lz -lm -lpthread
SANFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC   = $(wildcard lib/*.c)
TOOL_SRC  = $(wildcard tools/*.c)
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
HELPER_SRC = $(wildcard tests/tools/*.c)
HEADERS   = $(wildcard include/pxstats/*.h)

LIB_OBJ   = $(LIB_SRC:lib/%.c=build/obj/%.o)
LIB_SOBJ  = $(LIB_SRC:lib/%.c=build/san/%.o)
PROGRAMS  = $(TOOL_SRC:tools/%.c=bin/%)
SAN_PROGRAMS = $(TOOL_SRC:tools/%.c=build/san/bin/%)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=build/tests/%)
UNIT_SBIN = $(UNIT_SRC:tests/unit/%.c=build/san/tests/%)
HELPERS   = $(HELPER_SRC:tests/tools/%.c=build/tests/%)

.PHONY: all check check-valgrind demo bench install uninstall clean deps deps-build unit e2e fuzz
all: bin/libpxstats.a $(PROGRAMS) $(HELPERS)

build/obj/%.o: lib/%.c $(HEADERS) | build/obj
	$(CC) $(CFLAGS_ALL) -c $< -o $@
build/san/%.o: lib/%.c $(HEADERS) | build/san
	$(CC) $(STD) $(WARN) $(SANFLAGS) -Iinclude -c $< -o $@

bin/libpxstats.a: $(LIB_OBJ) | bin
	rm -f $@ && ar rcs $@ $^
build/san/libpxstats.a: $(LIB_SOBJ)
	rm -f $@ && ar rcs $@ $^

bin/%: tools/%.c bin/libpxstats.a $(HEADERS) | bin
	$(CC) $(CFLAGS_ALL) $< bin/libpxstats.a $(LIBS) -o $@
build/san/bin/%: tools/%.c build/san/libpxstats.a $(HEADERS) | build/san/bin
	$(CC) $(STD) $(WARN) $(SANFLAGS) -Iinclude $< build/san/libpxstats.a $(LIBS) -o $@

build/tests/%: tests/unit/%.c bin/libpxstats.a $(HEADERS) | build/tests
	$(CC) $(CFLAGS_ALL) -Itests/unit $< bin/libpxstats.a $(LIBS) -lcmocka -o $@
build/san/tests/%: tests/unit/%.c build/san/libpxstats.a $(HEADERS) | build/san/tests
	$(CC) $(STD) $(WARN) $(SANFLAGS) -Iinclude -Itests/unit $< build/san/libpxstats.a $(LIBS) -lcmocka -o $@
build/tests/%: tests/tools/%.c bin/libpxstats.a $(HEADERS) | build/tests
	$(CC) $(CFLAGS_ALL) $< bin/libpxstats.a $(LIBS) -o $@

bin build/obj build/san build/san/bin build/tests build/san/tests:
	mkdir -p $@

# Installs the Debian packages the build, the tests and the demo need.
deps:
	@sh tests/deps.sh

# `make check`: deps, build, unit tests (plain and under ASan+UBSan), then the
# end-to-end suites; the runner ends with one "N passed, N failed" line.
check: deps
	$(MAKE) -j2 all $(UNIT_BIN) $(UNIT_SBIN) $(SAN_PROGRAMS)
	@sh tests/run.sh

check-valgrind: deps
	$(MAKE) all $(UNIT_BIN)
	@PXS_VALGRIND=1 sh tests/run.sh

fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

demo: deps
	$(MAKE) all
	@sh tests/demo.sh

bench: deps
	$(MAKE) all
	@sh bench/run.sh && sh bench/hour.sh && sh bench/clients.sh && sh bench/rrd.sh && sh bench/graphgen.sh

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/pxstats \
	         $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	         $(DESTDIR)$(PREFIX)/share/doc/pxstats
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 bin/libpxstats.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/pxstats/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(wildcard man/*.5) $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 etc/pxstats.conf.sample etc/monitoring.conf.sample crontab.example README.md SECURITY.md \
	        $(DESTDIR)$(PREFIX)/share/doc/pxstats/

# Removes exactly what install put: the programs, the library, the headers,
# the man pages and the docs (tests/e2e/guards.sh checks the two agree).
uninstall:
	rm -f $(PROGRAMS:bin/%=$(DESTDIR)$(PREFIX)/bin/%) $(DESTDIR)$(PREFIX)/lib/libpxstats.a
	rm -f $(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man5/%,$(wildcard man/*.5))
	rm -rf $(DESTDIR)$(PREFIX)/include/pxstats $(DESTDIR)$(PREFIX)/share/doc/pxstats

clean:
	rm -rf build bin demo-root bench/out tests/artefacts
