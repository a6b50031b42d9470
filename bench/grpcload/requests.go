package main

import (
	"encoding/binary"
	"fmt"
	"os"
)

// loadRequests reads a request file: little-endian uint32s throughout, the slot count,
// then per slot the payload count and per payload its length and bytes. The payloads
// are sub-slices of the one file buffer, so loading copies nothing.
func loadRequests(path string) ([][][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	next := func(n int) ([]byte, error) {
		if n > len(data) {
			return nil, fmt.Errorf("%s: truncated", path)
		}
		b := data[:n:n]
		data = data[n:]
		return b, nil
	}
	count := func() (int, error) {
		b, err := next(4)
		if err != nil {
			return 0, err
		}
		return int(binary.LittleEndian.Uint32(b)), nil
	}
	slots, err := count()
	if err != nil {
		return nil, err
	}
	perSlot := make([][][]byte, slots)
	for s := range perSlot {
		payloads, err := count()
		if err != nil {
			return nil, err
		}
		perSlot[s] = make([][]byte, payloads)
		for i := range perSlot[s] {
			size, err := count()
			if err != nil {
				return nil, err
			}
			if perSlot[s][i], err = next(size); err != nil {
				return nil, err
			}
		}
	}
	if len(data) != 0 {
		return nil, fmt.Errorf("%s: %d bytes after the last payload", path, len(data))
	}
	return perSlot, nil
}
