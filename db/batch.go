package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. Committing is a third of a stamp's time on the one writer:
// each commit writes every page the transaction touched to the WAL, and the
// stamps of several tablets touch the same pages (the shop's day, the index
// pages where new events go). So the counter's actions (stamps, redemptions,
// adjustments) that wait for the writer together share one transaction, each
// in a savepoint of its own: one refused (a cooldown, a replay) is rolled back
// alone, and each is answered only after the shared commit.

// maxBatch bounds the actions of one transaction, and so how long the first
// of them waits for the commit.
const maxBatch = 32

// batchTimeout bounds a batch's transaction: a commit stuck behind another
// process's lock fails instead of holding every tablet.
const batchTimeout = 10 * time.Second

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
	fn  func(*sql.Tx) error
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
// many tablets send at once.
func (s *Store) inBatch(ctx context.Context, fn func(*sql.Tx) error) error {
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
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	err := s.write(ctx, func(tx *sql.Tx) error {
		for i, j := range batch {
			if errs[i] = j.ctx.Err(); errs[i] != nil {
				continue // its client is gone: nothing is written for it
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT action`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			if errs[i] = j.fn(tx); errs[i] != nil {
				s.noteRefusal(errs[i])
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO action`); err != nil {
					return fmt.Errorf("roll back an action: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE action`); err != nil {
				return fmt.Errorf("release: %w", err)
			}
		}
		return nil
	})
	s.batch.written.Add(1)
	for i, j := range batch {
		if err != nil && errs[i] == nil {
			errs[i] = err // not written: the shared transaction failed
		}
		j.err <- errs[i]
	}
}
