package cli

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/server"
)

func (a *app) batchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "batch", Short: "Create batches and follow their progress on a sohoa server"}
	var srv, token string
	cmd.PersistentFlags().StringVar(&srv, "server", "", "server URL (default $SOHOA_SERVER)")
	cmd.PersistentFlags().StringVar(&token, "token", "", "API token (default $SOHOA_TOKEN)")
	client := func() (*server.Client, error) {
		srv, token = fromEnv(srv, "SOHOA_SERVER", ""), fromEnv(token, "SOHOA_TOKEN", "")
		if srv == "" || token == "" {
			return nil, errors.New("--server and --token (or SOHOA_SERVER and SOHOA_TOKEN) are required")
		}
		return server.NewClient(srv, token, &http.Client{Timeout: time.Minute})
	}

	var nb server.NewBatch
	var rt, prio string
	create := &cobra.Command{
		Use:   "create --name NAME --register-type birth|marriage|death [--book N] [--year Y] [--office O]",
		Short: "Create a batch for one register book; prints its id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			nb.RegisterType = models.RegisterType(rt)
			nb.Priority = server.Priority(prio)
			b, err := c.CreateBatch(cmd.Context(), nb)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, b.ID)
			return nil
		},
	}
	create.Flags().StringVar(&nb.Name, "name", "", "batch name")
	create.Flags().StringVar(&nb.Office, "office", "", "registration office of the book")
	create.Flags().StringVar(&rt, "register-type", "", "birth, marriage or death")
	create.Flags().StringVar(&nb.BookNumber, "book", "", "book number, e.g. 01/2019")
	create.Flags().IntVar(&nb.Year, "year", 0, "year of the book")
	create.Flags().StringVar(&prio, "priority", "normal", "urgent, normal or bulk")

	progress := &cobra.Command{
		Use:   "progress ID",
		Short: "Print a batch's pages per state and records per status",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client()
			if err != nil {
				return err
			}
			p, err := c.BatchProgress(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			printProgress(a.stdout, p)
			return nil
		},
	}
	cmd.AddCommand(create, progress)
	return cmd
}
