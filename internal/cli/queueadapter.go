package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/sohoa/sohoa/queue"
	"github.com/sohoa/sohoa/server"
)

// taskInspector adapts the queue client to the API's TaskInspector.
type taskInspector struct{ c *queue.Client }

func (t taskInspector) ListFailed(ctx context.Context) ([]server.FailedTask, error) {
	fs, err := t.c.ListFailed(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]server.FailedTask, 0, len(fs))
	for _, f := range fs {
		out = append(out, server.FailedTask{ID: f.ID, Queue: f.Queue, Type: f.Type, PageID: f.PageID, ExportID: f.ExportID,
			Error: f.Error, FailedAt: f.FailedAt, Retried: f.Retried})
	}
	return out, nil
}

func (t taskInspector) Retry(ctx context.Context, q, id string) error {
	err := t.c.Retry(ctx, q, id)
	if errors.Is(err, queue.ErrTaskNotFound) {
		return fmt.Errorf("%w: %v", server.ErrTaskNotFound, err)
	}
	return err
}

func (t taskInspector) QueueDepth(ctx context.Context) (map[string]int, error) {
	return t.c.QueueDepth(ctx)
}
