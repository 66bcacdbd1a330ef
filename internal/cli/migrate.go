package cli

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/storage"
)

func (a *app) migrateCmd() *cobra.Command {
	var databaseURL string
	cmd := &cobra.Command{
		Use:   "migrate [--database-url URL]",
		Short: "Bring the service's PostgreSQL schema up to date",
		Long: "migrate applies the storage migrations the database has not seen yet and prints the\n" +
			"schema version. It is safe to run at every deployment and from several hosts at once.\n" +
			"The database URL falls back to $SOHOA_DATABASE_URL.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url := fromEnv(databaseURL, "SOHOA_DATABASE_URL", "")
			if url == "" {
				return fmt.Errorf("missing configuration: --database-url (or SOHOA_DATABASE_URL)")
			}
			pool, err := migrateConnect(cmd.Context(), url)
			if err != nil {
				return err
			}
			defer pool.Close()
			if err := storage.Migrate(cmd.Context(), pool); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			v, err := storage.SchemaVersion(cmd.Context(), pool)
			if err != nil {
				return fmt.Errorf("database: %w", err)
			}
			fmt.Fprintf(a.stdout, "schema version %d\n", v)
			return nil
		},
	}
	cmd.Flags().StringVar(&databaseURL, "database-url", "", "PostgreSQL URL (default $SOHOA_DATABASE_URL)")
	return cmd
}

// migrateConnect opens a pool of the default size on url and checks that
// the server answers.
func migrateConnect(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return connectDatabase(ctx, url, poolFlags{})
}
