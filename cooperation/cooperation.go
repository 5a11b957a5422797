// Package cooperation is the co-operation procedure between employer and
// staff (continuous dialogue, change negotiations, hearing; R-COOP-*). It
// imports only the standard library. Built out by the issue "Co-operation".
package cooperation
