package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"vaaka/app"
	"vaaka/app/mail"
	"vaaka/db"
)

// This file is the one place where package db's implementations are wired
// into package app (STYLE.md §1).

// newDeps builds the services of the server over d.
func newDeps(d *db.DB, logger *slog.Logger) app.Deps {
	return app.Deps{
		Register:   db.NewRegisterService(d),
		Employees:  db.NewEmployeeService(d),
		Uses:       db.NewUseService(d),
		Recordings: db.NewRecordingService(d),
		Audit:      db.NewAuditService(d),
		Accounts:   db.NewAccountService(d),
		Settings:   db.NewSettingsService(d),
		Dashboard:  db.NewDashboardService(d),
		Cases:      db.NewCaseService(d),
		Notices:    db.NewNoticeService(d),
		Requests:   db.NewAccessRequestService(d),
		Outbox:     db.NewOutboxService(d),
		Evidence:   db.NewEvidenceService(d),
		Holds:      db.NewHoldService(d),
		Imports:    db.NewImportService(d),
		Stats:      db.NewStatisticsService(d),
		Ping:       d.Ping,
		Logger:     logger,
	}
}

// newServer builds the HTTP application over d. The demo banner shows while
// the database holds the demo organisation (meta "demo" = "1").
func newServer(ctx context.Context, d *db.DB, cfg Config, logger *slog.Logger) (*app.Server, error) {
	demo, err := isDemo(ctx, d)
	if err != nil {
		return nil, err
	}
	return app.New(cfg.AppConfig(demo), newDeps(d, logger))
}

// newMail builds the outbox sender (idle without an SMTP host) and the
// reminders job over d.
func newMail(d *db.DB, cfg Config, logger *slog.Logger) (*mail.Sender, *mail.Reminders, error) {
	catalog, err := app.LoadCatalog()
	if err != nil {
		return nil, nil, err
	}
	outbox := db.NewOutboxService(d)
	sender := mail.NewSender(cfg.SMTP, outbox, catalog, logger)
	reminders := &mail.Reminders{
		Cases:    db.NewCaseService(d),
		Settings: db.NewSettingsService(d),
		Outbox:   outbox,
		Requests: db.NewAccessRequestService(d),
		Accounts: db.NewAccountService(d),
		Logger:   logger,
		Notify:   sender.Notify,
	}
	return sender, reminders, nil
}

// isDemo reports whether the database holds the demo organisation.
func isDemo(ctx context.Context, d *db.DB) (bool, error) {
	v, err := d.Meta(ctx, metaDemo)
	if err != nil {
		return false, fmt.Errorf("read meta: %w", err)
	}
	return v == "1", nil
}

// openExisting opens a database that must already exist (verify, backup):
// a mistyped path must not silently create an empty database.
func openExisting(path string) (*db.DB, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s (use --db or VAAKA_DB)", path)
		}
		return nil, err
	}
	// An empty file is no database: opening it would create an empty Vaaka
	// schema, and verify would pass a backup that holds nothing.
	if st.Size() == 0 {
		return nil, fmt.Errorf("%s is empty: not a Vaaka database", path)
	}
	return db.Open(path)
}
