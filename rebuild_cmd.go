package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"regulars/db"
	"regulars/migrations"
)

// runRebuild recomputes every shop's kept balances (and what each ledger
// event earned, the cards' credit and the events their pages list) from the
// ledger, correcting and reporting what differed.
// Each shop is one write transaction: on a shop of millions of events it
// holds the writer for seconds, so run it when the shop is closed.
func runRebuild(ctx context.Context, cfg config, out io.Writer) error {
	store, err := db.Open(ctx, cfg.dbPath, migrations.FS)
	if err != nil {
		return err
	}
	defer store.Close()
	shops, err := store.ShopIDs(ctx)
	if err != nil {
		return err
	}
	total := 0
	for _, id := range shops {
		n, err := store.RebuildBalances(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(out, "shop %d: %d kept rows differed from the ledger and were corrected\n", id, n)
		}
		total += n
		// The kept tiers are judged against the ledger's visits too.
		tiers, err := store.RebuildTiers(ctx, id, time.Now())
		if err != nil {
			return err
		}
		if tiers > 0 {
			fmt.Fprintf(out, "shop %d: %d cards' tiers differed from the ledger and were corrected\n", id, tiers)
		}
	}
	fmt.Fprintf(out, "rebuilt the balances of %d shops from the ledger: %d rows corrected\n", len(shops), total)
	return nil
}
