package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// The count the coupon form shows before Create is what Create issues:
// erased cards and another shop's cards count for nothing (issue 16).
func TestAudienceSizeIsWhatIsIssued(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	if err := cs.s.EraseCustomer(ctx, cs.shopID, cs.userID, cs.ahmet.ID, cs.now); err != nil {
		t.Fatal(err)
	}
	chosen := []int64{cs.ayla.ID, cs.ahmet.ID, cs.foreignAyla.ID, cs.ayla.ID}
	for _, tt := range []struct {
		audience string
		segment  loyalty.Segment
		want     int
	}{
		{db.AudienceAll, "", 3}, // Ayla, Bora, the unnamed card; not erased Ahmet
		{db.AudienceSegment, loyalty.SegmentNew, 1},
		{db.AudienceSegment, loyalty.SegmentVIP, 1},
		{db.AudienceSegment, loyalty.SegmentLapsed, 0},
		{db.AudienceChosen, "", 1}, // Ayla once; not erased Ahmet, not the other shop's Ayla
		{db.AudienceCode, "", 0},
	} {
		t.Run(fmt.Sprint(tt.audience, tt.segment), func(t *testing.T) {
			n, err := cs.s.AudienceSize(ctx, cs.shopID, tt.audience, tt.segment, chosen, cs.now)
			if err != nil || n != tt.want {
				t.Fatalf("AudienceSize = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
	// And what Create then issues, for each kind.
	for _, tt := range []struct {
		audience string
		segment  loyalty.Segment
	}{{db.AudienceAll, ""}, {db.AudienceSegment, loyalty.SegmentNew}, {db.AudienceChosen, ""}} {
		n, err := cs.s.AudienceSize(ctx, cs.shopID, tt.audience, tt.segment, chosen, cs.now)
		if err != nil {
			t.Fatal(err)
		}
		issueTo := chosen
		if tt.audience == db.AudienceSegment {
			if issueTo, err = cs.s.SegmentCards(ctx, cs.shopID, tt.segment, cs.now); err != nil {
				t.Fatal(err)
			}
		}
		id, err := cs.s.CreateCampaign(ctx, db.Campaign{ShopID: cs.shopID, Title: tt.audience, ValueKind: "text", ValueText: "treat",
			Audience: tt.audience, Segment: tt.segment, ValidFrom: cs.now, ValidUntil: cs.now.Add(48 * time.Hour), PerCardLimit: 1}, issueTo, cs.userID, cs.now)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cs.s.Campaign(ctx, cs.shopID, id)
		if err != nil || c.Issued != n {
			t.Errorf("%s: counted %d, issued %d (%v)", tt.audience, n, c.Issued, err)
		}
	}
}

func TestCampaignRecipients(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	window := func(c db.Campaign) db.Campaign {
		c.ShopID, c.ValueKind, c.ValueText, c.ValidFrom, c.ValidUntil, c.PerCardLimit = cs.shopID, "text", "treat", cs.now, cs.now.Add(48*time.Hour), 5
		return c
	}
	chosen, err := cs.s.CreateCampaign(ctx, window(db.Campaign{Title: "Chosen", Audience: db.AudienceChosen}),
		[]int64{cs.bora.ID, cs.ayla.ID, cs.foreignAyla.ID}, cs.userID, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	code, err := cs.s.CreateCampaign(ctx, window(db.Campaign{Title: "Code", Audience: db.AudienceCode, Code: "WELCOME"}), nil, cs.userID, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := cs.s.RedeemCoupon(ctx, cs.action(cs.ayla), chosen); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.s.RedeemCode(ctx, cs.action(cs.ahmet), "WELCOME"); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name     string
		shop, id int64
		limit    int
		want     string
		total    int
	}{
		{"chosen, by name", cs.shopID, chosen, 10, "Ayla 2|Bora 0|", 2},
		{"the first of them", cs.shopID, chosen, 1, "Ayla 2|", 2},
		{"a code: those who used it", cs.shopID, code, 10, "ahmet 1|", 1},
		{"another shop's campaign", cs.foreignShop, chosen, 10, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			list, total, err := cs.s.CampaignRecipients(ctx, tt.shop, tt.id, tt.limit)
			got := ""
			for _, r := range list {
				got += fmt.Sprint(r.Name, " ", r.Redeemed, "|")
				if r.ShortCode == "" || r.CardID == 0 {
					t.Errorf("recipient %+v lacks its card", r)
				}
			}
			if err != nil || got != tt.want || total != tt.total {
				t.Errorf("got %q of %d (%v), want %q of %d", got, total, err, tt.want, tt.total)
			}
		})
	}
}
