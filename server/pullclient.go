package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sohoa/sohoa/models"
)

// PullOptions filters Client.Pull and Client.PullChanges; zero values
// select every record. They are the query parameters of GET /v1/records.
type PullOptions struct {
	Status       models.Status
	RegisterType models.RegisterType
	BatchID      string
	Office       string
	// From and To bound the registration date, both inclusive:
	// YYYY-MM-DD, or YYYY-MM or YYYY for a whole month or year.
	From, To string
	// Limit is the most records per request; 0 leaves it to the server
	// (100).
	Limit int
}

func (o PullOptions) query(since int64) url.Values {
	q := url.Values{"since": {strconv.FormatInt(since, 10)}}
	for k, v := range map[string]string{
		"status": string(o.Status), "type": string(o.RegisterType), "batch": o.BatchID,
		"office": o.Office, "from": o.From, "to": o.To,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	return q
}

// Changes is one answer of the pull API.
type Changes struct {
	// Records changed after the cursor asked for, in change order, each
	// in its latest version.
	Records []models.Record
	// Next is the cursor that follows Records. A loader saves it in the
	// same transaction as what it makes of Records, and passes it as since
	// to continue: it then gets every later change exactly once.
	Next int64
	// More is set when the server stopped at the limit and more changes
	// may follow Next; when it is false, the answer held every change made
	// before the request.
	More bool
}

// PullChanges makes one request of the pull API: the records that match
// opts changed after the cursor since (0: from the start). A cut answer is
// an error, so a caller never saves the Next of records it did not get.
func (c *Client) PullChanges(ctx context.Context, since int64, opts PullOptions) (Changes, error) {
	path := "/v1/records?" + opts.query(since).Encode()
	resp, err := c.send(ctx, http.MethodGet, path, nil, -1, http.Header{"Accept": {"application/x-ndjson"}})
	if err != nil {
		return Changes{}, err
	}
	defer resp.Body.Close()
	var ch Changes
	if ch.Next, err = strconv.ParseInt(resp.Header.Get(headerNextAfter), 10, 64); err != nil {
		return Changes{}, fmt.Errorf("pull records: %s header %q: %w", headerNextAfter, resp.Header.Get(headerNextAfter), err)
	}
	ch.More = resp.Header.Get(headerHasMore) == "true"
	dec := json.NewDecoder(resp.Body)
	for {
		var r models.Record
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return ch, nil
		}
		if err != nil {
			return Changes{}, fmt.Errorf("pull records: record %d of the answer: %w", len(ch.Records)+1, err)
		}
		ch.Records = append(ch.Records, r)
	}
}

// Pull pulls the changes after the cursor since, one answer at a time,
// until it has caught up with the changes made before its last request.
// Each Changes is whole (see PullChanges); the iteration ends at the first
// error, which it yields with empty Changes.
func (c *Client) Pull(ctx context.Context, since int64, opts PullOptions) iter.Seq2[Changes, error] {
	return func(yield func(Changes, error) bool) {
		for {
			ch, err := c.PullChanges(ctx, since, opts)
			if err != nil {
				yield(Changes{}, err)
				return
			}
			if !yield(ch, nil) || !ch.More {
				return
			}
			since = ch.Next
		}
	}
}
