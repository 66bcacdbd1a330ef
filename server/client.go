package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to the API of a sohoa server.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// APIError is an error response of the server.
type APIError struct {
	Status  int    // HTTP status
	Code    string // the "code" of the error body (e.g. checksum_mismatch)
	Message string // the "error" of the error body
}

func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("server answered %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
}

// Refused reports whether the server refused the request for what it is
// (4xx) rather than failing (5xx): sending it again will not help.
func (e *APIError) Refused() bool { return e.Status >= 400 && e.Status < 500 }

// NewClient returns a client of the server at baseURL (http or https)
// sending token. hc nil means http.DefaultClient.
func NewClient(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http://host:port or https://host", baseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: u, token: token, http: hc}, nil
}

// PageBySHA256 returns the page whose original has the hex SHA-256 sum,
// or nil when the server has none.
func (c *Client) PageBySHA256(ctx context.Context, sum string) (*Page, error) {
	var p Page
	err := c.do(ctx, http.MethodGet, "/v1/pages?sha256="+url.QueryEscape(sum), nil, -1, nil, &p)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// GetBatch returns the batch with the given id.
func (c *Client) GetBatch(ctx context.Context, id string) (*Batch, error) {
	var b Batch
	if err := c.do(ctx, http.MethodGet, "/v1/batches/"+url.PathEscape(id), nil, -1, nil, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// BatchProgress returns the pages per state and records per status of a
// batch.
func (c *Client) BatchProgress(ctx context.Context, id string) (*Progress, error) {
	var p Progress
	if err := c.do(ctx, http.MethodGet, "/v1/batches/"+url.PathEscape(id)+"/progress", nil, -1, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// BatchSameEntries lists the batch's pages holding records of the same
// book and entry numbers as other pages (GET /v1/batches/{id}/same-entries).
func (c *Client) BatchSameEntries(ctx context.Context, id string) (*BatchSameEntries, error) {
	var out BatchSameEntries
	if err := c.do(ctx, http.MethodGet, "/v1/batches/"+url.PathEscape(id)+"/same-entries", nil, -1, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateBatch creates a batch.
func (c *Client) CreateBatch(ctx context.Context, nb NewBatch) (*Batch, error) {
	body, err := json.Marshal(nb)
	if err != nil {
		return nil, err
	}
	var b Batch
	h := http.Header{"Content-Type": {"application/json"}}
	if err := c.do(ctx, http.MethodPost, "/v1/batches", bytes.NewReader(body), int64(len(body)), h, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// UploadPage sends size bytes of body, whose hex SHA-256 is sum, as a page
// of the batch named filename. The result's Duplicate is set when the
// server had the image already.
func (c *Client) UploadPage(ctx context.Context, batchID, filename string, body io.Reader, size int64, sum string) (*UploadResult, error) {
	h := http.Header{
		"Content-Type":     {"application/octet-stream"},
		"X-Content-Sha256": {sum},
		"X-Filename":       {url.PathEscape(filename)},
	}
	var res UploadResult
	if err := c.do(ctx, http.MethodPost, "/v1/batches/"+url.PathEscape(batchID)+"/pages", body, size, h, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// do sends a request and decodes a JSON answer into out, or returns an
// *APIError. size -1 means no body.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, size int64, h http.Header, out any) error {
	resp, err := c.send(ctx, method, path, body, size, h)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: answer is not the expected JSON: %w", method, path, err)
		}
	}
	return nil
}

// send sends a request with the token and returns the answer when its
// status is below 300, or else an *APIError. size -1 means no body; h may
// set Accept, which is application/json otherwise.
func (c *Client) send(ctx context.Context, method, path string, body io.Reader, size int64, h http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		req.ContentLength = size
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range h {
		req.Header[k] = v
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		return nil, apiErrorOf(resp)
	}
	return resp, nil
}

// apiErrorOf reads an error answer.
func apiErrorOf(resp *http.Response) *APIError {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var eb errorBody
	if json.Unmarshal(data, &eb) != nil || eb.Error == "" {
		eb.Error = strings.TrimSpace(string(data))
		if eb.Error == "" {
			eb.Error = http.StatusText(resp.StatusCode)
		}
	}
	return &APIError{Status: resp.StatusCode, Code: eb.Code, Message: eb.Error}
}
