package cli

import (
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestDefaultMaxConns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct{ procs, want int }{{1, 4}, {2, 8}, {3, 12}, {16, 64}} {
		runtime.GOMAXPROCS(tc.procs)
		if got := defaultMaxConns(); got != tc.want {
			t.Errorf("GOMAXPROCS %d: %d connections, want %d", tc.procs, got, tc.want)
		}
	}
}

// TestPoolConfig parses --db-max-conns as serve and worker do and sizes the
// pool of a URL with it: an explicit pool_max_conns in the URL is never
// overridden.
func TestPoolConfig(t *testing.T) {
	const url = "postgres://u@127.0.0.1:5432/db?sslmode=disable"
	tests := []struct {
		name string
		url  string
		args []string
		want int32
		err  []string
	}{
		{"default", url, nil, int32(defaultMaxConns()), nil},
		{"flag", url, []string{"--db-max-conns", "3"}, 3, nil},
		{"URL setting", url + "&pool_max_conns=12", nil, 12, nil},
		{"URL setting and the same flag", url + "&pool_max_conns=12", []string{"--db-max-conns=12"}, 12, nil},
		{"key=value DSN", "host=127.0.0.1 user=u dbname=db pool_max_conns=7", nil, 7, nil},
		{"DSN without the setting", "host=127.0.0.1 user=u dbname=db", []string{"--db-max-conns", "5"}, 5, nil},
		{"URL setting and another flag", url + "&pool_max_conns=12", []string{"--db-max-conns", "5"}, 0,
			[]string{"--db-max-conns 5", "pool_max_conns=12"}},
		{"zero", url, []string{"--db-max-conns", "0"}, 0, []string{"--db-max-conns 0"}},
		{"negative", url, []string{"--db-max-conns", "-2"}, 0, []string{"--db-max-conns -2"}},
		{"not a number", url, []string{"--db-max-conns", "many"}, 0, []string{"db-max-conns"}},
		{"bad URL setting", url + "&pool_max_conns=0", nil, 0, []string{"database:", "pool_max_conns"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p poolFlags
			err := parseFlags(tc.args, p.add, p.resolve)
			var got int32
			if err == nil {
				cfg, cerr := poolConfig(tc.url, p)
				if err = cerr; err == nil {
					got = cfg.MaxConns
				}
			}
			if tc.err != nil {
				if err == nil {
					t.Fatalf("no error, pool of %d", got)
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %s", err, w)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("pool of %d (%v), want %d", got, err, tc.want)
			}
		})
	}
}

// parseFlags registers flags with add on a flag set of their own, parses
// args and resolves them with resolve, as serve and worker do.
func parseFlags(args []string, add func(*pflag.FlagSet), resolve func(*pflag.FlagSet) error) error {
	fl := pflag.NewFlagSet("sohoa", pflag.ContinueOnError)
	fl.SetOutput(io.Discard)
	add(fl)
	if err := fl.Parse(args); err != nil {
		return err
	}
	return resolve(fl)
}
