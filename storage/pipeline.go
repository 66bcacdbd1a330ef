package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// batcher is a connection or transaction that runs batches.
type batcher interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// pipelineTx runs a read-then-write transaction in two round trips: read's
// statements are sent together with BEGIN, write (called once their
// results have been read by read's callbacks) returns the statements that
// are sent together with COMMIT. A transaction opened with WithTx gets a
// savepoint instead. An error from read, write or any statement rolls the
// transaction back and is returned as is; locks taken by read are held from
// the first round trip to the commit, so the time between them is what
// write spends, not one round trip per statement.
func (s *Store) pipelineTx(ctx context.Context, read *pgx.Batch, write func() (*pgx.Batch, error)) error {
	switch db := s.db.(type) {
	case *pgxpool.Pool:
		conn, err := db.Acquire(ctx)
		if err != nil {
			return err
		}
		// Release destroys the connection if a transaction is still open.
		defer conn.Release()
		err = runPipelined(ctx, conn, "BEGIN", "COMMIT", read, write)
		if err != nil && conn.Conn().PgConn().TxStatus() != 'I' {
			_, _ = conn.Exec(ctx, "ROLLBACK")
		}
		return err
	case pgx.Tx:
		const sp = "sohoa_pipeline"
		err := runPipelined(ctx, db, "SAVEPOINT "+sp, "RELEASE SAVEPOINT "+sp, read, write)
		if err != nil {
			if _, rbErr := db.Exec(ctx, "ROLLBACK TO SAVEPOINT "+sp); rbErr == nil {
				_, _ = db.Exec(ctx, "RELEASE SAVEPOINT "+sp)
			}
		}
		return err
	}
	return fmt.Errorf("storage: pipelined transaction over %T", s.db)
}

func runPipelined(ctx context.Context, db batcher, begin, commit string, read *pgx.Batch, write func() (*pgx.Batch, error)) error {
	first := &pgx.Batch{}
	first.Queue(begin)
	first.QueuedQueries = append(first.QueuedQueries, read.QueuedQueries...)
	if err := db.SendBatch(ctx, first).Close(); err != nil {
		return err
	}
	second, err := write()
	if err != nil {
		return err
	}
	second.Queue(commit)
	// A COMMIT of a transaction that failed is a ROLLBACK: report it.
	second.QueuedQueries[len(second.QueuedQueries)-1].Exec(func(tag pgconn.CommandTag) error {
		if tag.String() == "ROLLBACK" {
			return errRolledBack
		}
		return nil
	})
	return db.SendBatch(ctx, second).Close()
}

// errRolledBack: COMMIT found the transaction failed and rolled it back.
var errRolledBack = errors.New("storage: commit rolled back")
