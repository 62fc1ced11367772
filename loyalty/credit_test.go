package loyalty

import (
	"math/rand/v2"
	"testing"
)

func TestCashbackFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		c      Cashback
		amount int
		want   int
	}{
		{"off", Cashback{}, 10_000, 0},
		{"5% of 12.59 rounds down", Cashback{Rate: 500}, 1259, 62}, // 62.95
		{"0.5% of 1.99 is nothing", Cashback{Rate: 50}, 199, 0},    // 0.995
		{"0.5% of 2.00", Cashback{Rate: 50}, 200, 1},
		{"50% of 1.01", Cashback{Rate: 5000}, 101, 50},
		{"below the minimum", Cashback{Rate: 1000, Min: 1000}, 999, 0},
		{"at the minimum", Cashback{Rate: 1000, Min: 1000}, 1000, 100},
		{"the largest amount", Cashback{Rate: 5000}, MaxAmount, MaxAmount / 2},
		{"nothing spent", Cashback{Rate: 500}, 0, 0},
		{"negative", Cashback{Rate: 500}, -100, 0},
	} {
		if got := tc.c.For(tc.amount); got != tc.want {
			t.Errorf("%s: %+v.For(%d) = %d, want %d", tc.name, tc.c, tc.amount, got, tc.want)
		}
	}
}

func TestCashbackCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c  Cashback
		ok bool
	}{
		{Cashback{}, true}, {Cashback{Rate: 50}, true}, {Cashback{Rate: 5000, Min: MaxAmount}, true},
		{Cashback{Rate: 49}, false}, {Cashback{Rate: 5001}, false}, {Cashback{Rate: -50}, false},
		{Cashback{Rate: 100, Min: -1}, false}, {Cashback{Rate: 100, Min: MaxAmount + 1}, false},
	} {
		if err := tc.c.Check(); (err == nil) != tc.ok {
			t.Errorf("%+v.Check() = %v, want ok %v", tc.c, err, tc.ok)
		}
	}
}

func TestCheckCreditSpend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		held, amount int
		want         error
	}{
		{500, 500, nil}, {500, 1, nil}, {500, 501, ErrNotEnoughCredit}, {0, 1, ErrNotEnoughCredit},
		{500, 0, ErrCreditAmount}, {500, -5, ErrCreditAmount}, {MaxAmount * 2, MaxAmount + 1, ErrCreditAmount},
	} {
		if got := CheckCreditSpend(tc.held, tc.amount); got != tc.want {
			t.Errorf("CheckCreditSpend(%d, %d) = %v, want %v", tc.held, tc.amount, got, tc.want)
		}
	}
}

// TestFoldCreditIncremental: adding events one at a time (a spend only of
// what is held), and voiding the last one by re-folding, always equals the
// fold of the whole ledger.
func TestFoldCreditIncremental(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(19, 5))
	for range 200 {
		var ledger []CreditEvent
		held := 0
		for range 30 {
			switch r.IntN(3) {
			case 0:
				c := r.IntN(1000) + 1
				ledger = append(ledger, CreditEvent{Credit: c})
				held = AddCredit(held, c)
			case 1:
				if held > 0 {
					c := -(r.IntN(held) + 1)
					ledger = append(ledger, CreditEvent{Credit: c})
					held = AddCredit(held, c)
				}
			default:
				if n := len(ledger); n > 0 && !ledger[n-1].Voided {
					ledger[n-1].Voided = true
					held = FoldCredit(ledger)
				}
			}
			if held < 0 {
				t.Fatalf("balance below zero: %d", held)
			}
			if want := FoldCredit(ledger); held != want {
				t.Fatalf("incremental %d, fold %d of %+v", held, want, ledger)
			}
		}
	}
	// An undone spend returns exactly what it took.
	ledger := []CreditEvent{{Credit: 700}, {Credit: -250}}
	ledger[1].Voided = true
	if got := FoldCredit(ledger); got != 700 {
		t.Errorf("after undoing a spend: %d, want 700", got)
	}
}
