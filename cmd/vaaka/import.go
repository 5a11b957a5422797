package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// vaaka import: a telephony access log (CSV) through a saved source's
// mapping (R-ACC-1, R-LOG-1). The run and the file are stored first, then
// processed in chunks; a run cut short (a crash, kill -9) is resumed by the
// next `vaaka import` or `vaaka serve` without duplicates.

func (c *cli) importBinder() (*dbBinding, *string, *string, *bool) {
	b := &dbBinding{binder: c.newBinder("import", "vaaka import --source NAME --file F [--dry-run] [--db vaaka.db]"), path: DefaultConfig().DB}
	var source, file string
	var dry bool
	b.String(&source, "source", "VAAKA_IMPORT_SOURCE", "name of the saved import source (its column mapping)")
	b.String(&file, "file", "VAAKA_IMPORT_FILE", "the CSV file to import")
	b.Bool(&dry, "dry-run", "VAAKA_IMPORT_DRY_RUN", "check the file and list every bad line; write nothing (exit 1 on bad lines)")
	b.String(&b.path, "db", "VAAKA_DB", "SQLite database file")
	return b, &source, &file, &dry
}

func (c *cli) importLog(args []string) error {
	b, source, file, dry := c.importBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	if strings.TrimSpace(*source) == "" || strings.TrimSpace(*file) == "" {
		return usagef("import: --source and --file are required")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	d, err := openExisting(b.path)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	imp := db.NewImportService(d)
	src, err := imp.FindSourceByName(ctx, *source)
	if err != nil {
		return fmt.Errorf("import: no source %q", *source)
	}
	cat, err := app.LoadCatalog()
	if err != nil {
		return err
	}
	line := func(le monitoring.LineError) string {
		msg := cat.T(monitoring.English, "validation."+le.Key, "field", le.Field)
		if !cat.Has("validation." + le.Key) {
			msg = le.Key
		}
		if le.Field != "" {
			return fmt.Sprintf("line %d: %s: %s", le.Line, le.Field, msg)
		}
		return fmt.Sprintf("line %d: %s", le.Line, msg)
	}
	counts := func(k monitoring.ImportCounts) {
		fmt.Fprintf(c.stdout, "rows %d, new uses %d, already imported %d, deletions %d, bad rows %d\n",
			k.Total, k.Created, k.Duplicates, k.Deletions, k.Bad)
	}
	if *dry {
		rep, err := imp.DryRun(ctx, src.ID, data)
		if err != nil {
			return importErr(err)
		}
		fmt.Fprintf(c.stdout, "Dry run of %s with source %q: nothing was written.\n", *file, src.Name)
		counts(rep.ImportCounts)
		for _, le := range rep.Errors {
			fmt.Fprintln(c.stdout, line(le))
		}
		if rep.Bad > 0 {
			return errFailed
		}
		return nil
	}
	// First finish runs a crash left behind (the same file resumes there).
	if _, err := imp.ResumeImports(ctx); err != nil {
		return err
	}
	run, err := imp.StartImport(ctx, "cli", src.ID, filepath.Base(*file), data)
	if err != nil {
		return importErr(err)
	}
	fmt.Fprintf(c.stdout, "Import %d of %s with source %q started (%d rows).\n", run.ID, *file, src.Name, run.Total)
	if run, err = imp.RunImport(ctx, run.ID); err != nil {
		return err
	}
	counts(run.ImportCounts)
	for _, le := range run.Errors {
		fmt.Fprintln(c.stdout, line(le))
	}
	return nil
}

// importErr turns a refused file into a message naming the field.
func importErr(err error) error {
	var fields []string
	var me *monitoring.Error
	if errors.As(err, &me) && me.Code == monitoring.Invalid {
		for f, k := range me.Fields {
			fields = append(fields, f+": "+k)
		}
		return fmt.Errorf("import: the file was refused: %s", strings.Join(fields, ", "))
	}
	return err
}

// resumeImports finishes, in the background of serve, the import runs a
// crash left running.
func resumeImports(ctx context.Context, d *db.DB, logger *slog.Logger) {
	ids, err := db.NewImportService(d).ResumeImports(ctx)
	if err != nil {
		logger.Error("resume imports", "runs", ids, "err", err)
		return
	}
	if len(ids) > 0 {
		logger.Info("resumed imports", "runs", ids)
	}
}
