package views

import "time"

// CardCluster is a run of cards made close together from the join poster
// that took a raffle's free entry, for the owner to look at before the draw.
type CardCluster struct {
	From, To time.Time
	Cards    int
}

// published says when a raffle's fingerprint was published, and whether that
// was before its entries opened: only then does the draw prove anything.
func published(p Page, r Raffle) string {
	if r.PublishedAt.After(r.OpensAt) {
		return p.T.T("RafflePublishedLate", "Date", p.T.DateTime(r.PublishedAt))
	}
	return p.T.T("RafflePublished", "Date", p.T.DateTime(r.PublishedAt))
}

// freeEntry is the raffle's free entry rule as customers read it.
func freeEntry(p Page, r Raffle) string {
	if r.FreeEntry == "earlier" {
		return p.T.T("RaffleFreeEntryEarlier", "Date", p.T.DateTime(r.OpensAt))
	}
	return p.T.T("RaffleFreeEntry")
}
