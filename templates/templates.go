// Package templates holds Vaaka's embedded HTML templates, static files and
// message catalogs (locales/<lang>/*.json). It imports only embed.
package templates

import "embed"

// FS is the embedded tree: *.html pages, partials/*.html, static/ files and
// locales/<lang>/*.json catalogs.
//
//go:embed *.html partials/*.html static locales
var FS embed.FS
