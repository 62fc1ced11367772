package db

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"regulars/loyalty"
)

// A kept list reads back as it was written, whatever its notes hold, and
// with each voided event marked.
func TestShownRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)
	es := []Entry{
		{ID: 1, CardID: 7, Kind: loyalty.KindStamp, Stamps: 3, At: at},
		{ID: 2, CardID: 7, Kind: loyalty.KindAdjust, Stamps: -2, At: at, Note: "a \x00 note,\nwith \xff bytes ; and 🎉"},
		{ID: 3, CardID: 7, Kind: loyalty.KindStamp, Stamps: 1, At: at.Add(time.Hour), Amount: 1250, Points: 12, Credit: -300},
		{ID: 4, CardID: 7, Kind: loyalty.KindVoid, At: at.Add(2 * time.Hour), VoidOf: 3},
		{ID: 1 << 40, CardID: 7, Kind: loyalty.KindBonus, At: time.Unix(0, 0).UTC(), Points: -1 << 31, Note: ""},
	}
	got, err := decodeShown(7, encodeShown(es))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(es)
	want[2].Voided = true
	if !slices.Equal(got, want) {
		t.Errorf("read back:\n%+v\nwant\n%+v", got, want)
	}
	if encodeShown(nil) != nil {
		t.Error("no events kept as a row")
	}
	if es, err := decodeShown(7, nil); err != nil || es != nil {
		t.Errorf("no row: %v, %v", es, err)
	}
}

// A damaged or unknown list is an error, never a wrong page.
func TestShownRefusesDamage(t *testing.T) {
	t.Parallel()
	b := encodeShown([]Entry{{ID: 1, Kind: loyalty.KindStamp, Stamps: 1, Note: "hello"}})
	for name, bad := range map[string][]byte{
		"layout":    append([]byte{9}, b[1:]...),
		"cut note":  b[:len(b)-2],
		"cut kind":  b[:3],
		"long kind": {shownEncoding, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := decodeShown(1, bad); err == nil {
			t.Errorf("%s: read without an error", name)
		}
	}
}

// The kept list is the newest CustomerEntries events in ledger order (by
// the second, then by ID), whatever order they are written in: an event
// written with an older time goes to its place, or nowhere when older than
// all the list keeps.
func TestShownKeepsTheNewestInLedgerOrder(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(13, 12))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for run := range 200 {
		var kept, all []Entry
		for id := int64(1); id <= int64(rng.IntN(40)); id++ {
			// Times in few distinct seconds, so that ties are common, and
			// some written before events already kept.
			at := base.Add(time.Duration(rng.IntN(10)) * time.Second).Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
			e := Entry{ID: id, Kind: loyalty.KindStamp, Stamps: 1, At: at}
			all = append(all, e)
			kept = withShown(kept, e)
		}
		sort.Slice(all, func(i, j int) bool { return ledgerAfter(all[j], all[i]) })
		want := all[max(0, len(all)-CustomerEntries):]
		if len(kept) != len(want) {
			t.Fatalf("run %d: kept %d events, want %d", run, len(kept), len(want))
		}
		for i := range want {
			if kept[i].ID != want[i].ID {
				t.Fatalf("run %d: kept %v, want %v", run, ids(kept), ids(want))
			}
		}
	}
}

// appendShown, the stamp's way of adding its event to the kept list, lays
// out the same bytes as reading the list, adding the event and laying it out
// again; and it declines, for the list to be read, only when the event is
// not the newest.
func TestAppendShownIsTheListsLayout(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 4))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kinds := []loyalty.Kind{loyalty.KindStamp, loyalty.KindRedeem, loyalty.KindVoid, loyalty.KindAdjust, loyalty.KindBonus}
	appended, declined := 0, 0
	for run := range 300 {
		var kept []byte
		var newest Entry
		for id := int64(1); id <= int64(1+rng.IntN(30)); id++ {
			// Mostly later than the last, some in its second, some before.
			at := base.Add(time.Duration(2*id-int64(rng.IntN(5))) * time.Second)
			e := Entry{ID: id, Kind: kinds[rng.IntN(len(kinds))], Stamps: rng.IntN(5) - 1, At: at, Amount: rng.IntN(3) * 1250,
				Points: rng.IntN(30), Credit: rng.IntN(3) - 1, Note: strings.Repeat("é", rng.IntN(4))}
			if e.Kind == loyalty.KindVoid && id > 1 {
				e.VoidOf = 1 + rng.Int64N(id-1)
			}
			es, err := decodeShown(7, kept)
			if err != nil {
				t.Fatal(err)
			}
			want := encodeShown(withShown(es, e))
			got, ok := appendShown(kept, e)
			isNewest := id == 1 || !ledgerAfter(newest, e)
			switch {
			case ok != isNewest:
				t.Fatalf("run %d, event %d: appendShown ok = %v, the event is the newest: %v", run, id, ok, isNewest)
			case ok && !bytes.Equal(got, want):
				t.Fatalf("run %d, event %d: appendShown laid out\n%x\nwant\n%x", run, id, got, want)
			}
			if ok {
				appended++
			} else {
				declined++
			}
			if isNewest {
				newest = e
			}
			kept = want
		}
	}
	if appended < 1000 || declined < 100 {
		t.Errorf("%d events appended, %d declined: the test drove too little", appended, declined)
	}
	if _, ok := appendShown([]byte{9, 1, 2}, Entry{ID: 1}); ok {
		t.Error("appendShown took a list of an unknown layout")
	}
	if _, ok := appendShown([]byte{shownEncoding, 40, 's'}, Entry{ID: 1}); ok {
		t.Error("appendShown took a cut list")
	}
}

func ids(es []Entry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}
