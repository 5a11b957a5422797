package db

// SetPurgeChunk sets the retention job's chunk size for a test and returns
// the function that restores it.
func SetPurgeChunk(n int) func() {
	old := purgeChunk
	purgeChunk = n
	return func() { purgeChunk = old }
}

// SetParallelVerifyMin sets the log length from which VerifyUses walks two
// halves at once, for a test; it returns the function that restores it.
func SetParallelVerifyMin(n int64) func() {
	old := parallelVerifyMin
	parallelVerifyMin = n
	return func() { parallelVerifyMin = old }
}

// HalvesVerified is how many verifications the two-halves path completed.
func HalvesVerified() int64 { return halvesVerified.Load() }
