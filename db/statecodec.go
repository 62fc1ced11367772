package db

import (
	"encoding/json"
	"strconv"
)

// A card's kept state is JSON (storedState), written and read at every
// counter action, and it grows with the rewards a card holds. encoding/json
// reflects over the struct each time: on the bench's café it was a twentieth
// of the server's CPU under the stamp load. The state's JSON is only numbers,
// arrays of numbers and the fields' names in their order, so it is written
// here by hand, to exactly the bytes json.Marshal writes (a rebuild compares
// bytes), and read by hand when it has that form; any other form is left to
// encoding/json.

// marshalState is json.Marshal(st), byte for byte.
func marshalState(st storedState) []byte {
	b := make([]byte, 0, 64+24*len(st.Available))
	b = append(b, `{"stamps":`...)
	b = strconv.AppendInt(b, int64(st.Stamps), 10)
	b = appendPairs(b, "lots", st.Lots)
	if len(st.Available) > 0 {
		b = append(b, `,"available":[`...)
		for i, t := range st.Available {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendInts(b, t[:])
		}
		b = append(b, ']')
	}
	for _, f := range []struct {
		name string
		n    int64
	}{
		{"earned", int64(st.Earned)}, {"redeemed", int64(st.Redeemed)}, {"expired_stamps", int64(st.ExpiredStamps)},
		{"expired_rewards", int64(st.ExpiredRewards)}, {"last_stamp_at", st.LastStampAt}, {"points", int64(st.Points)},
		{"points_earned", int64(st.PointsEarned)}, {"points_spent", int64(st.PointsSpent)}, {"points_expired", int64(st.PointsExpired)},
	} {
		if f.n != 0 {
			b = append(b, `,"`...)
			b = append(b, f.name...)
			b = append(b, `":`...)
			b = strconv.AppendInt(b, f.n, 10)
		}
	}
	b = appendPairs(b, "point_lots", st.PointLots)
	return append(b, '}')
}

// appendPairs appends a field of pairs, as omitempty leaves it: none when empty.
func appendPairs(b []byte, name string, ps [][2]int64) []byte {
	if len(ps) == 0 {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":[`...)
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendInts(b, p[:])
	}
	return append(b, ']')
}

// appendInts appends ns as a JSON array.
func appendInts(b []byte, ns []int64) []byte {
	b = append(b, '[')
	for i, n := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return append(b, ']')
}

// unmarshalState reads a kept state: by hand in the form marshalState
// writes, with encoding/json in any other.
func unmarshalState(text string, st *storedState) error {
	if p := (stateParser{s: text}); p.state(st) {
		return nil
	}
	*st = storedState{}
	return json.Unmarshal([]byte(text), st)
}

// stateParser reads the JSON of a kept state as marshalState writes it: no
// spaces, known fields, integers. Any other byte ends it (ok false).
type stateParser struct {
	s string
	i int
}

func (p *stateParser) state(st *storedState) bool {
	if !p.take('{') {
		return false
	}
	for first := true; ; first = false {
		if p.take('}') {
			return p.i == len(p.s)
		}
		if !first && !p.take(',') {
			return false
		}
		name, ok := p.name()
		if !ok {
			return false
		}
		var n *int
		switch name {
		case "stamps":
			n = &st.Stamps
		case "earned":
			n = &st.Earned
		case "redeemed":
			n = &st.Redeemed
		case "expired_stamps":
			n = &st.ExpiredStamps
		case "expired_rewards":
			n = &st.ExpiredRewards
		case "points":
			n = &st.Points
		case "points_earned":
			n = &st.PointsEarned
		case "points_spent":
			n = &st.PointsSpent
		case "points_expired":
			n = &st.PointsExpired
		case "last_stamp_at":
			if st.LastStampAt, ok = p.int(); !ok {
				return false
			}
			continue
		case "lots", "point_lots", "available":
			if !p.arrays(name, st) {
				return false
			}
			continue
		default:
			return false
		}
		v, ok := p.int()
		if !ok || int64(int(v)) != v {
			return false
		}
		*n = int(v)
	}
}

// arrays reads the array of arrays of field name into st; a field read
// twice is left to encoding/json, whose later one wins.
func (p *stateParser) arrays(name string, st *storedState) bool {
	if name == "lots" && st.Lots != nil || name == "point_lots" && st.PointLots != nil || name == "available" && st.Available != nil {
		return false
	}
	if !p.take('[') {
		return false
	}
	for first := true; !p.take(']'); first = false {
		if !first && !p.take(',') {
			return false
		}
		var t [3]int64
		size := 2
		if name == "available" {
			size = 3
		}
		if !p.take('[') {
			return false
		}
		for k := range size {
			if k > 0 && !p.take(',') {
				return false
			}
			var ok bool
			if t[k], ok = p.int(); !ok {
				return false
			}
		}
		if !p.take(']') {
			return false
		}
		switch name {
		case "lots":
			st.Lots = append(st.Lots, [2]int64{t[0], t[1]})
		case "point_lots":
			st.PointLots = append(st.PointLots, [2]int64{t[0], t[1]})
		default:
			st.Available = append(st.Available, t)
		}
	}
	return true
}

// take consumes c if it is next.
func (p *stateParser) take(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// name reads a field's name and its colon; names hold no escapes.
func (p *stateParser) name() (string, bool) {
	if !p.take('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '"' && p.s[p.i] != '\\' {
		p.i++
	}
	name := p.s[start:p.i]
	return name, p.take('"') && p.take(':')
}

// int reads an integer as JSON writes one: an optional minus, then digits
// without a leading zero.
func (p *stateParser) int() (int64, bool) {
	start := p.i
	p.take('-')
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == digits || p.s[digits] == '0' && p.i-digits > 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	return n, err == nil
}
