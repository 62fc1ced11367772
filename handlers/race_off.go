//go:build !race

package handlers

// raceSlowdown: a binary built without the race detector (images.go).
const raceSlowdown = 1
