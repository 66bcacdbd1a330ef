package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/storage"
)

func (a *app) tokenCmd() *cobra.Command {
	var databaseURL string
	cmd := &cobra.Command{
		Use:   "token create|list|revoke",
		Short: "Manage API tokens (roles: scanner, verifier, loader, admin)",
		Long: "token manages the API tokens of `sohoa serve`, talking to PostgreSQL directly\n" +
			"(--database-url or SOHOA_DATABASE_URL). Only a token's SHA-256 is stored: its secret is\n" +
			"printed once, by create. Roles: scanner (create batches, upload pages, see its own\n" +
			"batches), verifier and loader (read batches and records), admin (everything).",
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

	var role, name string
	create := &cobra.Command{
		Use:   "create --role ROLE --name NAME",
		Short: "Create a token and print its secret (shown only this once)",
		Long: "create stores a new token and prints its secret alone on standard output, so that\n" +
			"SECRET=$(sohoa token create --role scanner --name station-12) captures it; its id and\n" +
			"role go to standard error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := storage.Role(role)
			if !r.Valid() {
				return fmt.Errorf("--role %q: want scanner, verifier, loader or admin", role)
			}
			if name == "" {
				return errors.New("--name is required (e.g. the scanning station: station-12)")
			}
			s, done, err := store(cmd)
			if err != nil {
				return err
			}
			defer done()
			t, secret, err := s.CreateToken(cmd.Context(), name, r)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, secret)
			fmt.Fprintf(a.stderr, "token %s (%s, %s) created; keep the secret above now: it cannot be shown again\n", t.ID, t.Role, t.Name)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "scanner, verifier, loader or admin")
	create.Flags().StringVar(&name, "name", "", "what the token is for, e.g. station-12")

	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (ids, names, roles; never secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, done, err := store(cmd)
			if err != nil {
				return err
			}
			defer done()
			tokens, err := s.ListTokens(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tREVOKED")
			for _, t := range tokens {
				revoked := "-"
				if t.Revoked() {
					revoked = t.RevokedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.UTC().Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		},
	}

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token for good",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, done, err := store(cmd)
			if err != nil {
				return err
			}
			defer done()
			if err := s.RevokeToken(cmd.Context(), args[0]); err != nil {
				if errors.Is(err, storage.ErrNotFound) {
					return fmt.Errorf("no token %q (see sohoa token list)", args[0])
				}
				return err
			}
			fmt.Fprintf(a.stderr, "token %s revoked\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
