package db

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// randomState is a kept state with each field at random: zero (left out
// of the JSON), small, negative or at the ends of its range.
func randomState(rng *rand.Rand) storedState {
	n := func() int64 {
		switch rng.IntN(6) {
		case 0, 1:
			return 0
		case 2:
			return -rng.Int64N(1000)
		case 3:
			return []int64{math.MinInt64, math.MaxInt64, 1, -1}[rng.IntN(4)]
		}
		return rng.Int64N(2_000_000_000)
	}
	pairs := func() [][2]int64 {
		var ps [][2]int64
		for range rng.IntN(4) {
			ps = append(ps, [2]int64{n(), n()})
		}
		return ps
	}
	st := storedState{Stamps: int(n()), Lots: pairs(), Earned: int(n()), Redeemed: int(n()), ExpiredStamps: int(n()),
		ExpiredRewards: int(n()), LastStampAt: n(), Points: int(n()), PointsEarned: int(n()), PointsSpent: int(n()),
		PointsExpired: int(n()), PointLots: pairs()}
	for range rng.IntN(40) {
		st.Available = append(st.Available, [3]int64{n(), n(), n()})
	}
	return st
}

// The hand-written JSON is encoding/json's, byte for byte, and reads back
// as encoding/json reads it.
func TestStateCodecIsEncodingJSONs(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(12, 6))
	for i := range 5000 {
		st := randomState(rng)
		want, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		got := marshalState(st)
		if !bytes.Equal(got, want) {
			t.Fatalf("state %d written as\n%s\nencoding/json writes\n%s", i, got, want)
		}
		var back storedState
		p := stateParser{s: string(got)}
		if !p.state(&back) {
			t.Fatalf("state %d: its own JSON is not read by hand: %s", i, got)
		}
		if again, _ := json.Marshal(back); !bytes.Equal(again, want) {
			t.Fatalf("state %d read back as\n%s\nwant\n%s", i, again, want)
		}
	}
}

// Whatever the text, the kept state reads as encoding/json reads it: the
// same state, or an error where it has one.
func FuzzUnmarshalState(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		f.Add(string(marshalState(randomState(rng))))
	}
	for _, s := range []string{`{"stamps":0}`, `{"stamps":1,"lots":[[1,0]],"lots":[]}`, `{"stamps":01}`, `{"STAMPS":3}`, `{"stamps":-0}`,
		`{"stamps":1e2}`, `{"stamps":1,"lots":null}`, `{"stamps":1,"available":[[1,2]]}`, `{"stamps":99999999999999999999}`, ` {"stamps":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var want storedState
		jsonErr := json.Unmarshal([]byte(text), &want)
		var got storedState
		err := unmarshalState(text, &got)
		if (err == nil) != (jsonErr == nil) {
			t.Fatalf("%q: read with error %v, encoding/json's %v", text, err, jsonErr)
		}
		if err != nil {
			return
		}
		if a, b := marshalState(got), marshalState(want); !bytes.Equal(a, b) {
			t.Fatalf("%q read as\n%s\nencoding/json reads\n%s", text, a, b)
		}
	})
}
