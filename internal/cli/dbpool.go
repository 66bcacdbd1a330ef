package cli

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/pflag"
)

// poolFlags size the PostgreSQL pool of a long-running command (serve,
// worker). The zero value means the default size.
type poolFlags struct {
	maxConns int
	// set is true when --db-max-conns was given on the command line, so
	// that a different pool_max_conns in the database URL is a conflict
	// rather than a silent choice.
	set bool
}

// defaultMaxConns is the pool size when neither --db-max-conns nor
// pool_max_conns says otherwise: four connections per core Go may use, at
// least four. PostgreSQL usually shares the machine's cores with the
// service; connections beyond a few per core only queue inside the
// database, where they add context switches and lock contention (review
// claims, change_seq), so the p99 of review claim and submit measured
// better with 8 connections than with 50 on a 2-core machine. Waiting for a
// free connection in the pool is cheaper. The floor keeps a 1-core box from
// starving the review UI behind one long query (an export, a readiness
// check).
func defaultMaxConns() int {
	return max(4, 4*runtime.GOMAXPROCS(0))
}

// add registers --db-max-conns on fl.
func (p *poolFlags) add(fl *pflag.FlagSet) {
	fl.IntVar(&p.maxConns, "db-max-conns", defaultMaxConns(),
		"connections in the PostgreSQL pool: 4 × GOMAXPROCS, at least 4, unless given here or as pool_max_conns in the database URL")
}

// resolve checks the flag and notes whether it was given.
func (p *poolFlags) resolve(fl *pflag.FlagSet) error {
	p.set = fl.Changed("db-max-conns")
	if p.maxConns < 1 {
		return fmt.Errorf("--db-max-conns %d: want at least 1", p.maxConns)
	}
	return nil
}

// poolConfig parses the database URL (or key=value DSN) and sizes its pool:
// pool_max_conns in the URL wins (an operator who put it there meant it),
// then --db-max-conns, then defaultMaxConns. Both given and different is an
// error rather than a guess.
func poolConfig(url string, p poolFlags) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	// pgxpool.ParseConfig drops pool_max_conns from the parameters it
	// reads, and fills in its own default when there is none, so ask the
	// connection parser whether the URL holds it.
	cc, err := pgconn.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if _, ok := cc.RuntimeParams["pool_max_conns"]; ok {
		if p.set && int(cfg.MaxConns) != p.maxConns {
			return nil, fmt.Errorf("--db-max-conns %d conflicts with pool_max_conns=%d in the database URL: give one of them",
				p.maxConns, cfg.MaxConns)
		}
		return cfg, nil
	}
	n := p.maxConns
	if n == 0 {
		n = defaultMaxConns()
	}
	cfg.MaxConns = int32(min(n, 1<<30))
	return cfg, nil
}

// connectDatabase opens a pool sized by p on url and checks that the server
// answers. It does not migrate.
func connectDatabase(ctx context.Context, url string, p poolFlags) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(url, p)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: cannot connect: %w", err)
	}
	return pool, nil
}
