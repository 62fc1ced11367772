//go:build race

package handlers

// raceSlowdown: this binary runs under the race detector (images.go).
const raceSlowdown = 10
