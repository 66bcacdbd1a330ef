package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sohoa/sohoa/storage"
)

func (a *app) userCmd() *cobra.Command {
	var databaseURL string
	cmd := &cobra.Command{
		Use:   "user add|disable|enable|list",
		Short: "Manage the people who log in to the verification UI (verifier, arbitrator, admin)",
		Long: "user manages the accounts of the web UI of `sohoa serve` (/ui/), talking to PostgreSQL\n" +
			"directly (--database-url or SOHOA_DATABASE_URL). Passwords are stored as bcrypt hashes.\n" +
			"Roles: verifier (reviews records), arbitrator (also settles double-entry disagreements),\n" +
			"admin (also changes the review settings).",
	}
	cmd.PersistentFlags().StringVar(&databaseURL, "database-url", "", "PostgreSQL URL (default $SOHOA_DATABASE_URL)")
	store := func(cmd *cobra.Command) (*storage.Store, func(), error) {
		url := fromEnv(databaseURL, "SOHOA_DATABASE_URL", "")
		if url == "" {
			return nil, nil, errors.New("missing configuration: --database-url (or SOHOA_DATABASE_URL)")
		}
		pool, err := openDatabase(cmd.Context(), url)
		if err != nil {
			return nil, nil, err
		}
		return storage.New(pool), pool.Close, nil
	}

	var role string
	var passwordStdin bool
	add := &cobra.Command{
		Use:   "add USERNAME --role ROLE [--password-stdin]",
		Short: "Add a user; the password is asked for (or read from standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := storage.UserRole(role)
			if !r.Valid() {
				return fmt.Errorf("--role %q: want verifier, arbitrator or admin", role)
			}
			password, err := a.readPassword(cmd.InOrStdin(), passwordStdin)
			if err != nil {
				return err
			}
			s, done, err := store(cmd)
			if err != nil {
				return err
			}
			defer done()
			u, err := s.CreateUser(cmd.Context(), args[0], r, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "user %s (%s) added\n", u.Username, u.Role)
			return nil
		},
	}
	add.Flags().StringVar(&role, "role", "verifier", "verifier, arbitrator or admin")
	add.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")

	setDisabled := func(use, short string, disabled bool) *cobra.Command {
		return &cobra.Command{
			Use:   use + " USERNAME",
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				s, done, err := store(cmd)
				if err != nil {
					return err
				}
				defer done()
				if _, err := s.SetUserDisabled(cmd.Context(), args[0], disabled); err != nil {
					if errors.Is(err, storage.ErrNotFound) {
						return fmt.Errorf("no user %q (see sohoa user list)", args[0])
					}
					return err
				}
				fmt.Fprintf(a.stderr, "user %s %sd\n", args[0], use)
				return nil
			},
		}
	}

	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, done, err := store(cmd)
			if err != nil {
				return err
			}
			defer done()
			users, err := s.ListUsers(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERNAME\tROLE\tCREATED\tDISABLED")
			for _, u := range users {
				disabled := "-"
				if u.Disabled() {
					disabled = u.DisabledAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, u.CreatedAt.UTC().Format(time.RFC3339), disabled)
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(add,
		setDisabled("disable", "Disable a user and end its sessions", true),
		setDisabled("enable", "Let a disabled user log in again", false),
		list)
	return cmd
}

// readPassword reads the new password: the first line of in with
// fromStdin, else asked twice on the terminal.
func (a *app) readPassword(in io.Reader, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("standard input is not a terminal: use --password-stdin")
	}
	fmt.Fprint(a.stderr, "Password: ")
	p1, err := term.ReadPassword(fd)
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(a.stderr, "Again: ")
	p2, err := term.ReadPassword(fd)
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(p1) != string(p2) {
		return "", errors.New("the passwords differ")
	}
	return string(p1), nil
}
