package loyalty_test

import (
	"errors"
	"testing"
	"time"

	"regulars/loyalty"
)

func TestGiftStatesMoveForwardOnly(t *testing.T) {
	t.Parallel()
	all := []loyalty.GiftState{loyalty.GiftRequested, loyalty.GiftReady, loyalty.GiftHandedOver, loyalty.GiftShipped, loyalty.GiftDelivered, loyalty.GiftCancelled}
	allowed := map[[2]loyalty.GiftState]bool{
		{loyalty.GiftRequested, loyalty.GiftReady}: true, {loyalty.GiftRequested, loyalty.GiftHandedOver}: true,
		{loyalty.GiftRequested, loyalty.GiftShipped}: true, {loyalty.GiftRequested, loyalty.GiftCancelled}: true,
		{loyalty.GiftReady, loyalty.GiftHandedOver}: true, {loyalty.GiftReady, loyalty.GiftShipped}: true, {loyalty.GiftReady, loyalty.GiftCancelled}: true,
		{loyalty.GiftShipped, loyalty.GiftDelivered}: true, {loyalty.GiftShipped, loyalty.GiftCancelled}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := from.CanMove(to); got != allowed[[2]loyalty.GiftState{from, to}] {
				t.Errorf("%s → %s: CanMove = %v", from, to, got)
			}
		}
	}
	for _, end := range []loyalty.GiftState{loyalty.GiftHandedOver, loyalty.GiftDelivered, loyalty.GiftCancelled} {
		if end.Open() {
			t.Errorf("%s is open", end)
		}
	}
}

func TestCheckGift(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	open := loyalty.GiftOffer{Limited: true, Stock: 1, PerCustomer: 1}
	tests := []struct {
		name               string
		g                  loyalty.GiftOffer
		taken, held, price int
		want               error
	}{
		{"fine", open, 0, 300, 300, nil},
		{"unlimited stock", loyalty.GiftOffer{}, 5, 300, 300, nil},
		{"archived", loyalty.GiftOffer{Archived: true}, 0, 300, 300, loyalty.ErrGiftUnavailable},
		{"not yet", loyalty.GiftOffer{StartsAt: now.Add(time.Second)}, 0, 300, 300, loyalty.ErrGiftUnavailable},
		{"starts now", loyalty.GiftOffer{StartsAt: now}, 0, 300, 300, nil},
		{"ended", loyalty.GiftOffer{EndsAt: now}, 0, 300, 300, loyalty.ErrGiftUnavailable},
		{"none left", loyalty.GiftOffer{Limited: true}, 0, 300, 300, loyalty.ErrGiftOutOfStock},
		{"limit reached", open, 1, 300, 300, loyalty.ErrGiftLimit},
		{"short of points", open, 0, 299, 300, loyalty.ErrNotEnoughPoints},
		{"no price", open, 0, 300, 0, loyalty.ErrNotEnoughPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := loyalty.CheckGift(tt.g, now, tt.taken, tt.held, tt.price); !errors.Is(err, tt.want) {
				t.Errorf("CheckGift = %v, want %v", err, tt.want)
			}
		})
	}
}
