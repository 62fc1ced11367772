package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"regulars/loyalty"
)

// Group commit. Committing is a third of a stamp's time on the one writer:
// each commit writes every page the transaction touched to the WAL, and the
// stamps of several tablets touch the same pages (the shop's day, the index
// pages where new events go). So the counter's actions (stamps, redemptions,
// adjustments) that wait for the writer together share one transaction, each
// in a savepoint of its own: one refused (a cooldown, a replay) is rolled back
// alone, and each is answered only after the shared commit. What they add to
// the shop-wide rollups is added up and written once, at the batch's end
// (batchSums).

// maxBatch bounds the actions of one transaction, and so how long the first
// of them waits for the commit.
const maxBatch = 32

// errClosed answers an action sent after the store was closed.
var errClosed = errors.New("database closed")

type batcher struct {
	jobs chan *batchJob
	quit chan struct{} // closed by Close
	done chan struct{} // closed when the batches have stopped
	stop *sync.Once    // a store closed twice stops once
	// written counts the batches written, and queued the actions waiting to
	// be taken into one, for the tests.
	written, queued *atomic.Int64
}

type batchJob struct {
	ctx context.Context
	fn  func(context.Context, *sql.Tx) error
	err chan error
}

func (s *Store) startBatcher() {
	s.batch = batcher{jobs: make(chan *batchJob), quit: make(chan struct{}), done: make(chan struct{}), stop: &sync.Once{},
		written: &atomic.Int64{}, queued: &atomic.Int64{}}
	go s.runBatches()
}

// stopBatcher waits for the batch being written, if any, and stops.
func (s *Store) stopBatcher() {
	s.batch.stop.Do(func() { close(s.batch.quit) })
	<-s.batch.done
}

// inBatch runs fn in a transaction it may share with other actions, in a
// savepoint of its own, and returns once that transaction has committed
// (nil), or fn or the commit failed. Like inTx, but for short actions that
// many tablets send at once. fn's context is ctx without its cancellation: a
// client gone mid-way must not interrupt the shared transaction, which would
// roll back the others' actions too (an action whose client left before it
// began is skipped).
func (s *Store) inBatch(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	j := &batchJob{ctx: ctx, fn: fn, err: make(chan error, 1)}
	s.batch.queued.Add(1)
	defer s.batch.queued.Add(-1)
	select {
	case s.batch.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.batch.quit:
		return errClosed
	}
	// Once taken, a job is always answered: it may already be written.
	return <-j.err
}

func (s *Store) runBatches() {
	defer close(s.batch.done)
	for {
		var batch []*batchJob
		select {
		case j := <-s.batch.jobs:
			batch = append(batch, j)
		case <-s.batch.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-s.batch.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		s.runBatch(batch)
	}
}

// runBatch writes the jobs in one transaction and answers each.
func (s *Store) runBatch(batch []*batchJob) {
	errs := make([]error, len(batch))
	// The transaction runs under a context that cannot end. Under one with a
	// deadline, database/sql started a goroutine to watch each query of the
	// transaction and the driver one for each statement: a few for every
	// action. A lock that another process holds still fails the BEGIN
	// IMMEDIATE after busy_timeout (SQLITE_BUSY, which Unavailable reports),
	// and once begun, nothing in the transaction waits for anyone.
	ctx := context.Background()
	var sums batchSums // of the actions written
	var writes uint64  // the writer's other transactions, before this one
	err := s.commit(ctx, func(tx *sql.Tx) error {
		writes = s.writes.Load()
		if err := s.kept.checkOthers(ctx, tx); err != nil {
			return err
		}
		for i, j := range batch {
			if errs[i] = j.ctx.Err(); errs[i] != nil {
				continue // its client is gone: nothing is written for it
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT action`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			var its batchSums
			if errs[i] = j.fn(context.WithValue(context.WithoutCancel(j.ctx), batchSumsKey{}, &its), tx); errs[i] != nil {
				s.noteRefusal(errs[i])
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO action`); err != nil {
					return fmt.Errorf("roll back an action: %w", err)
				}
			} else {
				sums.merge(&its)
			}
			if _, err := tx.ExecContext(ctx, `RELEASE action`); err != nil {
				return fmt.Errorf("release: %w", err)
			}
		}
		return sums.write(ctx, tx)
	})
	if err == nil {
		s.kept.keep(sums.kept, writes)
	}
	s.batch.written.Add(1)
	for i, j := range batch {
		if err != nil && errs[i] == nil {
			errs[i] = err // not written: the shared transaction failed
		}
		j.err <- errs[i]
	}
}

// batchSums adds up what the actions of one batch add to the shop-wide
// rollups, shop_days and staff_days, which the batch writes once at its end:
// a busy hour's stamps all add to the same two rows of the shop, and writing
// them for each stamp was a sixteenth of the writer's time. Nothing an action
// reads is in those rows; the owner's pages read them after the commit.
type batchSums struct {
	shops map[int64]shopDeltas
	staff map[staffDayKey]*loyalty.StaffCounts
	// kept is what the actions leave of their cards for the next (kept.go),
	// in the order they were written.
	kept []*keptWrites
}

type staffDayKey struct {
	shopID, userID int64
	day            int
}

// batchSumsKey holds, in the context of an action of a batch, the batchSums
// its writes add to.
type batchSumsKey struct{}

func batchSumsOf(ctx context.Context) *batchSums {
	b, _ := ctx.Value(batchSumsKey{}).(*batchSums)
	return b
}

func (b *batchSums) addShop(shopID int64, d shopDeltas) {
	if b.shops == nil {
		b.shops = map[int64]shopDeltas{}
	}
	if b.shops[shopID] == nil {
		b.shops[shopID] = shopDeltas{}
	}
	for k, sums := range d {
		b.shops[shopID].plus(k, *sums)
	}
}

func (b *batchSums) addStaff(k staffDayKey, c loyalty.StaffCounts) {
	if b.staff == nil {
		b.staff = map[staffDayKey]*loyalty.StaffCounts{}
	}
	if b.staff[k] == nil {
		b.staff[k] = &loyalty.StaffCounts{}
	}
	s := b.staff[k]
	s.Stamps, s.Redeems, s.Voids, s.Overrides, s.Adjusts = s.Stamps+c.Stamps, s.Redeems+c.Redeems, s.Voids+c.Voids, s.Overrides+c.Overrides, s.Adjusts+c.Adjusts
}

// merge adds an action's sums to the batch's.
func (b *batchSums) merge(o *batchSums) {
	b.kept = append(b.kept, o.kept...)
	for shopID, d := range o.shops {
		b.addShop(shopID, d)
	}
	for k, c := range o.staff {
		b.addStaff(k, *c)
	}
}

func (b *batchSums) write(ctx context.Context, tx *sql.Tx) error {
	for shopID, d := range b.shops {
		if err := d.write(ctx, tx, shopID); err != nil {
			return err
		}
	}
	for k, c := range b.staff {
		if err := addStaffDay(ctx, tx, k.shopID, k.day, k.userID, *c); err != nil {
			return err
		}
	}
	return nil
}
