package db

// SetPurgeChunk sets the retention job's chunk size for a test and returns
// the function that restores it.
func SetPurgeChunk(n int) func() {
	old := purgeChunk
	purgeChunk = n
	return func() { purgeChunk = old }
}
