#!/bin/sh
# The edges of the stats tree (DESIGN.md §8, SECURITY.md): links, FIFOs,
# sockets and devices where snapshots, state files, databases, graphs, pages,
# locks and logs should be. Each is refused at once (no hang: every run is
# under a timeout; nothing read from /dev/zero), with a message naming the
# path; the program goes on with the rest where it can and exits 1; nothing
# outside the tree is read, created, changed or removed. Then every writer
# is killed with SIGKILL at random instants and run again: no temporary stays.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

D="2026-01-10 06:00:00"
O=$TMPROOT/outside                    # what must never be touched
mkdir -p "$O/victim/20000101/tx" "$O/gdir" "$O/pickles/client001/20000101/tx"
echo "OUTSIDE-SECRET" > "$O/secret"
echo "OUTSIDE-PAGE" > "$O/page.html"

# --- a complete tree: 2 machines, 3 clients, 1 source, 6 hours, merged, fed,
# drawn and published.
base=$(newroot)
loggen --logdir "$base/log" --clients 3 --sources 1 --machines pds1,pds2 --start "2026-01-10 00:00:00" --hours 6 -q
for m in pds1 pds2; do
    setLastUpdate --root "$base" -m "$m" -c client001,client002,client003 "2026-01-10 00:00:00"
    setLastUpdate --root "$base" -m "$m" -f rx -c source001 "2026-01-10 00:00:00"
    statsUpdater --root "$base" -m "$m" --logdir "$base/log/$m" -d "$D"
    statsUpdater --root "$base" -m "$m" -f rx --logdir "$base/log/$m" -d "$D"
done >/dev/null 2>&1
pickleMerge --root "$base" -c All -f tx -m pds1,pds2 -d "$D" >/dev/null 2>&1
rrdTransfer --root "$base" -m pds1 -e "$D" >/dev/null 2>&1
n=$(find "$base/stats/pickles" -type f | wc -l)
if [ "$n" -ge 40 ] && [ -f "$base/stats/databases/tx/bytecount/client002_pds1" ]; then ok "a complete tree to spoil ($n snapshots)"
else fail "a complete tree to spoil ($n snapshots)"; fi
cp "$base/stats/databases/tx/bytecount/client002_pds1" "$O/db.rrd"
cp "$base/stats/pickles/client002/20260110/tx/pds1_03" "$O/snapshot"
cp "$base/stats/pickles/client002/20260110/tx/pds1_03" "$O/victim/20000101/tx/pds1_03"
cp "$O/snapshot" "$O/pickles/client001/20000101/tx/pds1_03"   # an old day pickleClean would remove
(cd "$O" && find . -type f -exec md5sum {} + | sort) > "$TMPROOT/outside.md5"

# A fresh copy of the tree for each case (links and all).
spoil() { r=$(mktemp -d "$TMPROOT/case.XXXXXX"); cp -a "$base/." "$r/"; echo "$r"; }
# t "description" STATUS command...: the command ends within 60 s with STATUS.
t() {
    d=$1 want=$2; shift 2
    timeout 60 "$@" >"$TMPROOT/.out" 2>"$TMPROOT/.err"; got=$?
    if [ "$got" -eq 124 ]; then fail "$d (hung: killed after 60 s)"
    elif [ "$got" -eq "$want" ]; then ok "$d"
    else fail "$d (exit $got, wanted $want)"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 5; fi
}
snap=pickles/client001/20260110/tx/pds1_03

# --- a snapshot that is a FIFO, a link to /dev/zero, a link to a snapshot outside
for kind in fifo zero link; do
    r=$(spoil); p=$r/stats/$snap
    rm "$p"
    case $kind in
        fifo) mkfifo "$p"; what="a FIFO" ;;
        zero) ln -s /dev/zero "$p"; what="a symbolic link" ;;
        link) ln -s "$O/snapshot" "$p"; what="a symbolic link" ;;
    esac
    rm -f "$r/stats/graphs" -r
    t "snapshot $kind: graphGen goes on and exits 1" 1 graphGen --root "$r" -c client001,client002 -m pds1 -d "$D" -s 6
    stderr_has "$snap: $what, not a regular file: refused" "snapshot $kind: graphGen names it"
    if [ -n "$(find "$r/stats/graphs" -name '*.png' -size +1k)" ]; then ok "snapshot $kind: the graph is drawn"; else fail "snapshot $kind: the graph is drawn"; fi
    t "snapshot $kind: pickleMerge goes on and exits 1" 1 pickleMerge --root "$r" -c client001,client002 -f tx -m pds1,pds2 -d "$D" -s 6
    stderr_has "$snap: $what" "snapshot $kind: pickleMerge names it"
    if [ -f "$r/stats/pickles/client001/20260110/tx/pds1pds2_02" ]; then ok "snapshot $kind: the other hours are merged"; else fail "snapshot $kind: the other hours are merged"; fi
    rm -rf "$r/stats/databases" "$r/stats/DATABASE-UPDATES"
    # As a damaged snapshot (rrdtransfer.sh): named, its hour unknown, exit 0.
    t "snapshot $kind: rrdTransfer goes on, exits 1" 1 rrdTransfer --root "$r" -m pds1 -e "$D"
    stderr_has "$snap: $what" "snapshot $kind: rrdTransfer names it"
    if [ -f "$r/stats/databases/tx/bytecount/client002_pds1" ]; then ok "snapshot $kind: the other clients are fed"; else fail "snapshot $kind: the other clients are fed"; fi
    t "snapshot $kind: statsMonitor reports and does not hang" 1 statsMonitor --root "$r" --stdout
done

# --- a client directory that is a link out of the tree; pickles/ itself a link
r=$(spoil)
ln -s "$O/victim" "$r/stats/pickles/client009"
t "a linked client: pickleClean leaves what it points to alone" 0 pickleClean --root "$r" -k 5
# pickleClean emptied the tree of these old hours: the graphs get a fresh copy.
r=$(spoil)
ln -s "$O/victim" "$r/stats/pickles/client009"
t "a linked client: graphGen --all skips it" 0 graphGen --root "$r" --all -m pds1 -d "$D" -s 6
if [ ! -e "$r/stats/graphs/tx/client009" ]; then ok "a linked client is not drawn"; else fail "a linked client is not drawn"; fi
t "a linked client: graphGen -c refuses it" 1 graphGen --root "$r" -c client009 -m pds1 -d "2000-01-01 06:00:00" -s 6
stderr_has "pickles/client009: a symbolic link, not a directory: refused" "graphGen names the link"
t "a linked client: pickleMerge -c refuses it" 1 pickleMerge --root "$r" -c client009 -f tx -m pds1,pds2 -d "2000-01-01 06:00:00"
t "a linked client: rrdTransfer -c refuses it" 1 rrdTransfer --root "$r" -c client009 -m pds1 -e "$D"
r=$(spoil)
mv "$r/stats/pickles" "$r/stats/pickles.real"
ln -s "$O/pickles" "$r/stats/pickles"
t "pickles/ a link: pickleClean refuses it" 1 pickleClean --root "$r" -k 5
stderr_has "pickles: a symbolic link, not a directory: refused" "pickleClean names it"
t "pickles/ a link: statsUpdater writes nothing through it" 1 statsUpdater --root "$r" -m pds1 --logdir "$r/log/pds1" -d "2026-01-10 07:00:00"
stderr_has "pickles: a symbolic link, not a directory: refused" "statsUpdater names it"

# --- state files -------------------------------------------------------------
r=$(spoil); rm "$r/stats/PICKLED-TIMES"; ln -s "$O/secret" "$r/stats/PICKLED-TIMES"
t "PICKLED-TIMES a link: statsUpdater refuses it" 1 statsUpdater --root "$r" -m pds1 --logdir "$r/log/pds1" -d "2026-01-10 07:00:00"
stderr_has "PICKLED-TIMES: a symbolic link, not a regular file: refused" "statsUpdater names it"
t "PICKLED-TIMES a link: timesView refuses it" 1 timesView --root "$r"
if ! grep -q "OUTSIDE-SECRET" "$TMPROOT/.out" "$TMPROOT/.err"; then ok "nothing of its target is shown"; else fail "nothing of its target is shown"; fi
t "PICKLED-TIMES a link: setLastUpdate refuses it" 1 setLastUpdate --root "$r" -m pds1 "2026-01-10 00:00:00"
r=$(spoil); rm "$r/stats/PICKLED_FILE_POSITIONS"; mkfifo "$r/stats/PICKLED_FILE_POSITIONS"
t "PICKLED_FILE_POSITIONS a FIFO: statsUpdater refuses it at once" 1 statsUpdater --root "$r" -m pds1 --logdir "$r/log/pds1" -d "2026-01-10 07:00:00"
stderr_has "PICKLED_FILE_POSITIONS: a FIFO, not a regular file: refused" "statsUpdater names it"
r=$(spoil); rm -f "$r/stats/FILE_VERSIONS"; ln -s "$O/secret" "$r/stats/FILE_VERSIONS"
t "FILE_VERSIONS a link: pickleMerge refuses it" 1 pickleMerge --root "$r" -c All -f tx -m pds1,pds2 -d "$D"
stderr_has "FILE_VERSIONS: a symbolic link" "pickleMerge names it"
r=$(spoil); ln -sf "$O/secret" "$r/stats/.statsUpdater.lock"
t "a lock that is a link: statsUpdater refuses it" 1 statsUpdater --root "$r" -m pds1 --logdir "$r/log/pds1" -d "2026-01-10 07:00:00"
stderr_has "statsUpdater.lock: a symbolic link" "statsUpdater names the lock"
r=$(spoil); mkdir -p "$r/stats/log"; rm -f "$r/stats/log/statsUpdater.log"; ln -s "$O/secret" "$r/stats/log/statsUpdater.log"
t "a run log that is a link: statsUpdater runs, not writing through it" 0 statsUpdater --root "$r" -m pds1 --logdir "$r/log/pds1" -d "2026-01-10 07:00:00"
stderr_has "run log" "statsUpdater warns about the run log"

# --- the archive ---------------------------------------------------------------
r=$(spoil); u=$r/stats/DATABASE-UPDATES/tx
f=$(ls "$u" | grep '^client001_' | head -n 1); rm "$u/$f"; mkfifo "$u/$f"
t "DATABASE-UPDATES a FIFO: rrdTransfer refuses it at once, feeds the others" 1 rrdTransfer --root "$r" -m pds1 -e "2026-01-10 06:00:00"
stderr_has "$f: a FIFO, not a regular file: refused" "rrdTransfer names it"
r=$(spoil); db=$r/stats/databases/tx/bytecount/client002_pds1
rm "$db"; ln -s "$O/db.rrd" "$db"
ln -sf "$O/created.rrd" "$r/stats/databases/tx/errors/client002_pds1"
rm -rf "$r/stats/DATABASE-UPDATES"
t "a database that is a link: rrdTransfer refuses it" 1 rrdTransfer --root "$r" -m pds1 -e "$D"
stderr_has "bytecount/client002_pds1: a symbolic link, not a regular file: refused" "rrdTransfer names it"
if [ -f "$r/stats/databases/tx/bytecount/client001_pds1" ]; then ok "the other databases are fed"; else fail "the other databases are fed"; fi
t "a database that is a link: rrdGraph draws the others and exits 1" 1 rrdGraph --root "$r" -c client001,client002 --machines pds1 -d --date "$D"
stderr_has "client002_pds1: a symbolic link" "rrdGraph names it"
if [ -n "$(find "$r/stats/graphs" -path '*rrdgraphs*client001*' -name '*.png')" ]; then ok "rrdGraph drew the other clients"; else fail "rrdGraph drew the other clients"; fi
t "a database that is a link: statsMonitor reports it" 1 statsMonitor --root "$r" --stdout
stdout_has "client002_pds1: a symbolic link" "statsMonitor names it"
mkfifo "$r/stats/databases/tx/latency/client003_pds1.fifo"
t "restoreRRD --backup leaves links and FIFOs out" 0 restoreRRD --root "$r" --backup
if [ -z "$(find "$r/stats/databases_backups" ! -type f ! -type d)" ]; then ok "the backup holds regular files only"; else fail "the backup holds regular files only"; fi

# --- graphs, images, pages --------------------------------------------------------
r=$(spoil); mkdir -p "$r/stats/graphs/tx"; ln -s "$O/gdir" "$r/stats/graphs/tx/client001"
t "graphs/<client> a link: graphGen refuses to write through it" 1 graphGen --root "$r" -c client001 -m pds1 -d "$D" -s 6
stderr_has "graphs/tx/client001: a symbolic link, not a directory: refused" "graphGen names it"
t "graphs/<client> a link: another client is drawn" 0 graphGen --root "$r" -c client002 -m pds1 -d "$D" -s 6
r=$(spoil)
graphGen --root "$r" --all -l -m pds1 -d "$D" -s 6 >/dev/null 2>&1
c=$r/stats/webGraphics/columbo/tx
rm "$c/client001.png"; ln -s "$O/secret" "$c/client001.png"; mkfifo "$c/client002.png.fifo"
rm "$c/client002.png"; mkfifo "$c/client002.png"
t "webPages --images: a linked and a FIFO 24 h image refused, the others copied" 1 webPages --root "$r" --images --date "$D"
stderr_has "columbo/tx/client001.png: a symbolic link" "webPages names the link"
stderr_has "columbo/tx/client002.png: a FIFO" "webPages names the FIFO"
if ! grep -rq "OUTSIDE-SECRET" "$r/stats/webGraphics"; then ok "nothing of the link's target was copied"; else fail "nothing of the link's target was copied"; fi
if [ -n "$(find "$r/stats/webGraphics/daily" -path '*client003*' -name '*.png')" ]; then ok "the other images are copied"; else fail "the other images are copied"; fi
mkdir -p "$r/stats/webPages"; rm -f "$r/stats/webPages/dailyGraphs.html"; ln -s "$O/page.html" "$r/stats/webPages/dailyGraphs.html"
t "a page that is a link: replaced, not written through" 0 webPages --root "$r" --daily --date "$D"
if [ -f "$r/stats/webPages/dailyGraphs.html" ] && [ ! -L "$r/stats/webPages/dailyGraphs.html" ]; then ok "the page is a file of the tree now"; else fail "the page is a file of the tree now"; fi

# --- nothing outside was touched -------------------------------------------------------
(cd "$O" && find . -type f -exec md5sum {} + | sort) > "$TMPROOT/outside.after"
if cmp -s "$TMPROOT/outside.md5" "$TMPROOT/outside.after" && [ -z "$(find "$O" ! -type f ! -type d)" ]; then
    ok "nothing outside the tree was created, changed or removed"
else fail "nothing outside the tree was created, changed or removed"; diff "$TMPROOT/outside.md5" "$TMPROOT/outside.after" | head -n 5 | sed 's/^/#   /'; fi
