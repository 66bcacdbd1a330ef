package ocr

import (
	"context"
	"errors"
	"fmt"
)

// Pool holds a fixed set of engines, one per worker goroutine.
type Pool struct {
	engines chan *Engine
	all     []*Engine
}

// NewPool starts n engines with the same options.
func NewPool(n int, opts Options) (*Pool, error) {
	if n < 1 {
		return nil, fmt.Errorf("ocr: pool size %d, want at least 1", n)
	}
	p := &Pool{engines: make(chan *Engine, n)}
	for range n {
		e, err := NewEngine(opts)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.all = append(p.all, e)
		p.engines <- e
	}
	return p, nil
}

// Size is the number of engines.
func (p *Pool) Size() int { return len(p.all) }

// Do runs f with an engine taken from the pool for the duration of the call.
func (p *Pool) Do(ctx context.Context, f func(*Engine) error) error {
	select {
	case e := <-p.engines:
		defer func() { p.engines <- e }()
		return f(e)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close releases every engine. The pool must be idle.
func (p *Pool) Close() error {
	var errs []error
	for _, e := range p.all {
		errs = append(errs, e.Close())
	}
	p.all = nil
	return errors.Join(errs...)
}
