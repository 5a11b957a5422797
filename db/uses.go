package db

// useWriter is the group-commit writer of the use log (placeholder).
type useWriter struct{}

func (w *useWriter) stop() {}
